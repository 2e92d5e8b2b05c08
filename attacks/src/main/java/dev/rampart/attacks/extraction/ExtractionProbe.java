package dev.rampart.attacks.extraction;

/**
 * A model-extraction probe: spends an exact budget of queries to a victim classifier, trains a
 * substitute on the answers and reports how close the copy came (accuracy and fidelity on a
 * held-out set, as a curve against the queries). Probes are immutable once built: their settings
 * are a validated configuration record, copied out of the builder, so changing a builder after
 * {@code build()} changes nothing; running a probe twice gives the same result. The attacker's
 * pool or seed set is read, never modified.
 *
 * <pre>{@code
 * ExtractionProbe probe = KnockoffNets.builder(victim).pool(images).budgets(1000, 5000)
 *         .substitute(substitute).heldOut(test).seed(1).build();
 * ExtractionResult r = probe.run();   // r.config() is probe.config()
 * }</pre>
 */
public interface ExtractionProbe {

    /** What every probe's configuration record holds. */
    interface Config {
        /** What the victim releases per query. */
        Answers answers();

        /** Victim queries in all. */
        long budget();

        /** The seed of every random choice of the probe and of the substitute's training. */
        long seed();
    }

    /** A short name for reports, such as {@code Knockoff Nets (random)}. */
    String name();

    /** The probe's configuration record, valid by construction. */
    Config config();

    /**
     * Queries the victim (exactly {@code config().budget()} examples), trains the substitute and
     * scores it on the held-out set.
     */
    ExtractionResult run();
}
