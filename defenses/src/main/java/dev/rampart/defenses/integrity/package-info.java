/**
 * Data and model integrity: {@link dev.rampart.defenses.integrity.DatasetManifest} (SHA-256 per
 * example and a root, verified by index), Ed25519 {@link dev.rampart.defenses.integrity.Keys} and
 * {@link dev.rampart.defenses.integrity.SignedFiles}, AES-256-GCM
 * {@link dev.rampart.defenses.integrity.ModelEncryption}, one-call
 * {@link dev.rampart.defenses.integrity.TrustedModels} loading, and DL4J iterator wrappers that
 * verify a manifest ({@link dev.rampart.defenses.integrity.VerifyingIterator}) or drop flagged
 * examples ({@link dev.rampart.defenses.integrity.FilteringIterator}) as data streams in. Every
 * failure is an {@link dev.rampart.defenses.integrity.IntegrityException} naming the file or
 * example and the reason.
 */
package dev.rampart.defenses.integrity;
