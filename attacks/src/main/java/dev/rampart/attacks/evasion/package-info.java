/**
 * Evasion attacks, all behind {@link dev.rampart.attacks.evasion.EvasionAttack} and built on the
 * shared template {@link dev.rampart.attacks.evasion.EvasionTemplate}: gradient attacks
 * ({@link dev.rampart.attacks.evasion.GradientAttack}) {@link dev.rampart.attacks.evasion.Fgsm},
 * {@link dev.rampart.attacks.evasion.Pgd}, {@link dev.rampart.attacks.evasion.MiFgsm} and
 * {@link dev.rampart.attacks.evasion.Apgd}; minimum-norm attacks
 * ({@link dev.rampart.attacks.evasion.MinimumNormAttack})
 * {@link dev.rampart.attacks.evasion.CarliniWagner} and {@link dev.rampart.attacks.evasion.DeepFool};
 * and the query-only {@link dev.rampart.attacks.evasion.Square}.
 */
package dev.rampart.attacks.evasion;
