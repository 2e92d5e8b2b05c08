package dev.rampart.audit;

/**
 * What an audit tells while it runs: each unit of work (one model, attack and budget) as it starts
 * and ends. The command-line tool draws a progress bar from it; a service can log it. The engine
 * knows nothing of how it is shown.
 *
 * <pre>{@code
 * AuditReport r = Audit.run(config, models, data, AuditListener.NONE, ChunkRunner.LOCAL);
 * }</pre>
 */
public interface AuditListener {

    /** Tells nothing. */
    AuditListener NONE = new AuditListener() {
    };

    /** A unit of work begins, such as {@code "robust: PGD-20 at 0.1"}. */
    default void start(String what) {
    }

    /** {@code units} units of work are done. */
    default void done(long units) {
    }

    /** The audit is over. */
    default void finish() {
    }
}
