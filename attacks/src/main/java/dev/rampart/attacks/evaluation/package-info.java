/**
 * Reliable robust-accuracy evaluation: {@link dev.rampart.attacks.evaluation.AutoAttack} runs an
 * ordered ensemble of attacks and keeps each example's worst case, and
 * {@link dev.rampart.attacks.evaluation.GradientMaskingChecks} looks for the signs of an
 * evaluation fooled by masked gradients.
 */
package dev.rampart.attacks.evaluation;
