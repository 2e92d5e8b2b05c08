/**
 * Poisoning attacks on training data: {@link dev.rampart.attacks.poisoning.LabelFlipping} (uniform
 * and targeted), {@link dev.rampart.attacks.poisoning.BadNets} backdoors (all-to-one and all-to-all)
 * with patch or blended {@link dev.rampart.attacks.poisoning.Trigger}s, and clean-label
 * {@link dev.rampart.attacks.poisoning.FeatureCollision} (Shafahi et al. 2018). Each returns
 * {@link dev.rampart.attacks.poisoning.PoisonedData}; a model trained on it by the user's
 * {@link dev.rampart.core.model.TrainingRoutine} is scored by
 * {@link dev.rampart.attacks.poisoning.PoisoningEvaluation}.
 */
package dev.rampart.attacks.poisoning;
