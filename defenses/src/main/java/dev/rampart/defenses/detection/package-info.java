/**
 * Adversarial-input detection: the {@link dev.rampart.defenses.detection.Detector} API,
 * {@link dev.rampart.defenses.detection.FeatureSqueezing} with its squeezers, and
 * {@link dev.rampart.defenses.guard.Guard} for use at prediction time.
 */
package dev.rampart.defenses.detection;
