package dev.rampart.defenses.guard;

/**
 * A refusing {@link Guard} would not answer a batch: its screen flagged at least one query. The
 * model never saw the batch. The flagged rows are named.
 */
public class RefusedQueryException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int[] rows;

    /**
     * @param message why the batch was refused
     * @param rows the flagged rows of the batch
     */
    public RefusedQueryException(String message, int[] rows) {
        super(message);
        this.rows = rows.clone();
    }

    /** The flagged rows of the refused batch. */
    public int[] rows() {
        return rows.clone();
    }
}
