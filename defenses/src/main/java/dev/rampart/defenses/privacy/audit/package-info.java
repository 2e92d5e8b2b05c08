/**
 * Empirical privacy auditing: canaries in one training run and the epsilon their membership
 * proves ({@link dev.rampart.defenses.privacy.audit.PrivacyAudit}), and the one-run and
 * Clopper-Pearson lower bounds ({@link dev.rampart.defenses.privacy.audit.EpsilonLowerBound}).
 */
package dev.rampart.defenses.privacy.audit;
