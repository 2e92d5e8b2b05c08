package dev.rampart.defenses.integrity;

/**
 * A file or dataset that failed an integrity check: a signature that does not verify, a digest
 * that differs, a manifest that does not match, a ciphertext that does not authenticate. The
 * message names what was checked and why it failed; nothing that failed is ever used.
 *
 * <pre>{@code
 * try {
 *     SignedFiles.verify(model, signature, publicKey);
 * } catch (IntegrityException e) {
 *     log.error("refusing {}: {}", e.subject(), e.getMessage());
 * }
 * }</pre>
 */
public final class IntegrityException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final String subject;

    /**
     * @param subject the file or dataset that failed
     * @param reason why, in words
     */
    public IntegrityException(String subject, String reason) {
        super(subject + ": " + reason);
        this.subject = subject;
    }

    /** As {@link #IntegrityException(String, String)}, with the underlying cause. */
    public IntegrityException(String subject, String reason, Throwable cause) {
        super(subject + ": " + reason, cause);
        this.subject = subject;
    }

    /** The file or dataset that failed. */
    public String subject() {
        return subject;
    }
}
