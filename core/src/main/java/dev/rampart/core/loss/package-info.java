/**
 * Objectives of a classifier's logits with their gradients: the losses attacks and defenses
 * differentiate through a model with
 * {@link dev.rampart.core.model.GradientClassifier#logitGradient}.
 */
package dev.rampart.core.loss;
