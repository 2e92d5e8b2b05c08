/**
 * Detection of poisoned training data: {@link dev.rampart.defenses.poisoning.ActivationClustering}
 * (Chen et al. 2019), {@link dev.rampart.defenses.poisoning.SpectralSignatures} (Tran et al. 2018)
 * and {@link dev.rampart.defenses.poisoning.KnnLabelNoise} (Paudice et al. 2018), each a
 * {@link dev.rampart.defenses.poisoning.PoisonDetector} returning a
 * {@link dev.rampart.defenses.poisoning.PoisonReport} that can be scored against the truth in
 * experiments; flagged examples can be dropped from a DL4J stream with
 * {@link dev.rampart.defenses.integrity.FilteringIterator}. {@link dev.rampart.defenses.poisoning.Spectre}
 * (Hayase et al. 2021), {@link dev.rampart.defenses.poisoning.TriggerExplanation} and
 * {@link dev.rampart.defenses.poisoning.TrustedLabelCheck} (labels that models trained on trusted data
 * contradict) find dirty-label backdoors; {@link dev.rampart.defenses.poisoning.TrustedContrast} (a
 * classifier two-sample test against trusted images, Lopez-Paz &amp; Oquab 2017) finds clean-label
 * ones, and on a model's representations a learned trigger the pixels hide (WaNet's warp); {@link dev.rampart.defenses.poisoning.TrustedUnion} judges such
 * {@linkplain dev.rampart.defenses.poisoning.ReferenceDetector reference detectors} jointly, under
 * one precision target; {@link dev.rampart.defenses.poisoning.NeuralCleanse} (Wang et al. 2019) vets a trained model; {@link dev.rampart.defenses.poisoning.AntiBackdoorLearning} (Li et al. 2021) trains a model
 * on poisoned data without a detector; {@link dev.rampart.defenses.poisoning.Sanitizer} removes,
 * retrains and reports; {@link dev.rampart.defenses.poisoning.ClassPriors} resamples a class the
 * removal depleted back to its trusted share before retraining.
 */
package dev.rampart.defenses.poisoning;
