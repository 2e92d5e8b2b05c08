/**
 * Defenses against model extraction.
 *
 * <ul>
 *   <li>Output defenses, each a {@link dev.rampart.core.model.Classifier} around the victim
 *       ({@link dev.rampart.defenses.extraction.OutputDefense}):
 *       {@link dev.rampart.defenses.extraction.TopLabelOnly},
 *       {@link dev.rampart.defenses.extraction.RoundedProbabilities},
 *       {@link dev.rampart.defenses.extraction.GaussianNoise},
 *       {@link dev.rampart.defenses.extraction.ConfidenceCutoff} and
 *       {@link dev.rampart.defenses.extraction.ReverseSigmoid} (Lee et al. 2019).</li>
 *   <li>A query monitor: {@link dev.rampart.defenses.extraction.Prada} (Juuti et al. 2019), per
 *       client, with a guard and alarm events.</li>
 * </ul>
 */
package dev.rampart.defenses.extraction;
