/**
 * Model extraction probes: how cheaply a model behind a prediction API is copied. Every probe is an
 * {@link dev.rampart.attacks.extraction.ExtractionProbe}: immutable once built, with a validated
 * configuration record and an exact budget. Every probe sees
 * the victim only as a {@link dev.rampart.core.model.Classifier}, through a
 * {@link dev.rampart.attacks.extraction.QueryRecorder} that counts and keeps every query, so the
 * budget is exact.
 *
 * <ul>
 *   <li>{@link dev.rampart.attacks.extraction.CopycatCnn} (Correia-Silva et al. 2018): a pool of
 *       unlabeled images labelled by the victim's top-1 answers.</li>
 *   <li>{@link dev.rampart.attacks.extraction.KnockoffNets} (Orekondy et al. 2019): random or
 *       adaptive (gradient bandit) sampling of the pool, top-1 or probability answers.</li>
 *   <li>{@link dev.rampart.attacks.extraction.JacobianAugmentation} (Papernot et al. 2017): a
 *       small seed set grown along the substitute's Jacobian, and
 *       {@link dev.rampart.attacks.extraction.TransferAttack} to attack the victim with adversarial
 *       examples crafted on the substitute.</li>
 * </ul>
 *
 * The substitute is the user's: a {@link dev.rampart.attacks.extraction.Substitute} creates a
 * fresh {@link dev.rampart.core.model.TrainableModel} from a seed and trains it with the model's
 * own training step. Results ({@link dev.rampart.attacks.extraction.ExtractionResult}) give the
 * queries spent, the substitute, its accuracy and fidelity, a curve against the budget, and the
 * probe's configuration with provenance.
 */
package dev.rampart.attacks.extraction;
