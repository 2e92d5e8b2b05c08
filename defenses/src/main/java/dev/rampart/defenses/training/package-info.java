/**
 * Adversarial training of DL4J models: PGD adversarial training and fast FGSM with random start.
 */
package dev.rampart.defenses.training;
