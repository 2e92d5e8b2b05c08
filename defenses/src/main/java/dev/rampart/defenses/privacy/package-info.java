/**
 * Differential privacy: the RDP accountant of the sampled Gaussian mechanism (DP-SGD's), and the
 * Laplace and Gaussian mechanisms for releasing scores and statistics, with noise from a
 * cryptographic generator.
 */
package dev.rampart.defenses.privacy;
