package dev.rampart.audit;

/**
 * A record of the evaluation set that no attack may take: a value that is not finite or lies
 * outside the model's input domain. Thrown on whichever JVM evaluates the record, and found by
 * type in a failed distributed job's causes.
 *
 * <pre>{@code
 * catch (BadRecordException e) { System.err.println("record " + e.index() + ": " + e.getMessage()); }
 * }</pre>
 */
public final class BadRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final long index;

    /**
     * @param index the record's index in the evaluation set
     * @param reason what is wrong with it
     */
    public BadRecordException(long index, String reason) {
        super("record " + index + ": " + reason);
        this.index = index;
    }

    /** The record's index in the evaluation set. */
    public long index() {
        return index;
    }
}
