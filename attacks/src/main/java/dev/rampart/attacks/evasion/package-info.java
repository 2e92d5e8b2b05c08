/**
 * Evasion attacks: {@link dev.rampart.attacks.evasion.Fgsm}, {@link dev.rampart.attacks.evasion.Pgd} and {@link dev.rampart.attacks.evasion.MiFgsm}, built on the shared template {@link dev.rampart.attacks.evasion.GradientAttack}.
 */
package dev.rampart.attacks.evasion;
