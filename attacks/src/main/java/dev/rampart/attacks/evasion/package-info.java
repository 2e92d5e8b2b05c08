/**
 * Evasion attacks: {@link dev.rampart.attacks.evasion.Fgsm} and {@link dev.rampart.attacks.evasion.Pgd}, built on the shared template {@link dev.rampart.attacks.evasion.GradientAttack}.
 */
package dev.rampart.attacks.evasion;
