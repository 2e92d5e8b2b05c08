/**
 * Detection of poisoned training data: {@link dev.rampart.defenses.poisoning.ActivationClustering}
 * (Chen et al. 2019), {@link dev.rampart.defenses.poisoning.SpectralSignatures} (Tran et al. 2018)
 * and {@link dev.rampart.defenses.poisoning.KnnLabelNoise} (Paudice et al. 2018), each a
 * {@link dev.rampart.defenses.poisoning.PoisonDetector} returning a
 * {@link dev.rampart.defenses.poisoning.PoisonReport} that can be scored against the truth in
 * experiments; flagged examples can be dropped from a DL4J stream with
 * {@link dev.rampart.defenses.integrity.FilteringIterator}.
 */
package dev.rampart.defenses.poisoning;
