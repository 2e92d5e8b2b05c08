/**
 * Rampart's defenses: adversarial training ({@code training}), adversarial-input detection
 * ({@code detection}), data-integrity checks ({@code integrity}) and differential privacy
 * ({@code privacy}). They use models through {@code dev.rampart.core.model} and craft adversarial
 * examples with {@code dev.rampart.attacks}. No defense has landed yet; the module is in the
 * build so that the dependency chain core, attacks, defenses, benchmarks is fixed from the start.
 */
package dev.rampart.defenses;
