/**
 * Certified robustness: guarantees that no perturbation within a budget changes a prediction.
 * {@link dev.rampart.defenses.certification.RandomizedSmoothing} (Cohen, Rosenfeld &amp; Kolter
 * 2019) certifies an L2 radius per example for the Gaussian-smoothed version of any classifier,
 * with a probability of error of at most alpha; its results are
 * {@link dev.rampart.defenses.certification.SmoothingCertificates}.
 * {@link dev.rampart.defenses.certification.PartitionAggregation} (Levine &amp; Feizi 2021)
 * certifies against poisoning: how many training examples must be inserted or removed to change a
 * prediction ({@link dev.rampart.defenses.certification.PoisoningCertificates}).
 */
package dev.rampart.defenses.certification;
