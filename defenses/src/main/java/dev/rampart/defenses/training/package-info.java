/**
 * Adversarial training of DL4J models on their own training step: PGD adversarial training, fast
 * FGSM with random start and TRADES, with epsilon warm-up, a clean/adversarial mix, weight
 * averaging, held-out evaluation, keep-best and early stopping ({@link
 * dev.rampart.defenses.training.AdversarialTraining}).
 */
package dev.rampart.defenses.training;
