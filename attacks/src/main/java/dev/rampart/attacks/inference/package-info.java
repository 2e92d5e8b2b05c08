/**
 * Inference attacks: what a trained model gives away about its training data.
 *
 * <ul>
 *   <li>Membership inference: {@link dev.rampart.attacks.inference.LossThresholdAttack} (Yeom et
 *       al. 2018), {@link dev.rampart.attacks.inference.ShadowModelAttack} (Shokri et al. 2017) and
 *       {@link dev.rampart.attacks.inference.Lira} (Carlini et al. 2022, online and offline), the
 *       last two on {@link dev.rampart.attacks.inference.ShadowModels} trained by the user's own
 *       {@link dev.rampart.core.model.TrainingRoutine}; measured by
 *       {@link dev.rampart.attacks.inference.MembershipEvaluation}.</li>
 *   <li>Model inversion: {@link dev.rampart.attacks.inference.ModelInversion} (MI-Face, Fredrikson
 *       et al. 2015).</li>
 * </ul>
 */
package dev.rampart.attacks.inference;
