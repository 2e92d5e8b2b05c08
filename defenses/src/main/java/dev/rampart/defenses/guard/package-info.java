/**
 * A model behind a screen at prediction time. A {@link dev.rampart.defenses.guard.Guard} answers as
 * its model and screens every batch first, with an adversarial-input detector
 * ({@link dev.rampart.defenses.detection.Detector}) or a query-stream monitor
 * ({@link dev.rampart.defenses.extraction.Prada#screen}); its policy flags or refuses.
 */
package dev.rampart.defenses.guard;
