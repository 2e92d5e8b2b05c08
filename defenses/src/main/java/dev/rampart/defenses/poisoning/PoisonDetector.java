package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;

/**
 * A detector of poisoned training examples: given a labelled training set (and usually a model
 * trained on it), it flags the examples to remove. Detectors are immutable and built from a
 * validated configuration record; the data is never modified.
 *
 * <pre>{@code
 * PoisonDetector d = ActivationClustering.builder(model).build();
 * PoisonReport r = d.detect(train);
 * boolean[] drop = r.flagged();
 * }</pre>
 */
public interface PoisonDetector {

    /** What every detector's configuration record holds. */
    interface Config {
        /** The seed of every random choice (0 for deterministic detectors). */
        default long seed() {
            return 0;
        }
    }

    /** A short name for reports, such as {@code activation clustering}. */
    String name();

    /** The detector's configuration record, valid by construction. */
    Config config();

    /**
     * Examines {@code data}; the data is not modified.
     *
     * @throws IllegalArgumentException if the data does not fit the detector's model (classes,
     *     shape, domain) or is too small for it
     */
    PoisonReport detect(LabeledData data);

    /**
     * A detector whose verdict was reached already (on a cluster, or earlier): it answers
     * {@code report} for data of the report's size, so that a {@link Sanitizer} can act on it.
     */
    static PoisonDetector of(PoisonReport report) {
        if (report == null) {
            throw new IllegalArgumentException("report must not be null");
        }
        return new PoisonDetector() {
            @Override
            public String name() {
                return report.detector();
            }

            @Override
            public Config config() {
                return report.config();
            }

            @Override
            public PoisonReport detect(LabeledData data) {
                if (data == null || data.size() != report.flagged().length) {
                    throw new IllegalArgumentException("the report covers " + report.flagged().length
                            + " examples, the data has " + (data == null ? "none" : data.size()));
                }
                return report;
            }
        };
    }

    /**
     * The fewest examples a class needs for this detector's verdict on it to mean anything; a
     * class with fewer is reported as not judged. Tools refuse data below it.
     */
    default int minimumPerClass() {
        return 1;
    }
}
