package dev.rampart.attacks.extraction;

import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.report.Provenance;
import java.util.List;
import java.util.Locale;

/**
 * What an extraction probe achieved: the queries it spent, the final substitute, the substitute's
 * test accuracy and its fidelity (top-1 agreement with the victim on held-out inputs), the same
 * two numbers at each checkpoint of the budget, and how the result was made (the probe's
 * configuration, with its seed, and provenance).
 *
 * @param probe the probe's name
 * @param config the probe's configuration record
 * @param queries victim queries spent in all
 * @param substitute the substitute trained on every answer
 * @param accuracy the substitute's accuracy on the held-out labelled set
 * @param fidelity the share of held-out inputs on which substitute and victim give the same top-1
 * @param curve accuracy and fidelity against queries, in increasing order of queries
 * @param seconds wall time of the probe, evaluation included
 * @param provenance versions and backend
 */
public record ExtractionResult(String probe, ExtractionProbe.Config config, long queries, TrainableModel substitute,
        double accuracy, double fidelity, List<Point> curve, double seconds, Provenance provenance) {

    /** One point of the curve: a substitute trained on the first {@code queries} answers. */
    public record Point(long queries, double accuracy, double fidelity) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d queries: accuracy %.4f, fidelity %.4f", queries, accuracy, fidelity);
        }
    }

    /** @throws IllegalArgumentException if a part is null or the curve is empty */
    public ExtractionResult {
        if (probe == null || config == null || substitute == null || curve == null || provenance == null) {
            throw new IllegalArgumentException("probe, config, substitute, curve and provenance must not be null");
        }
        if (curve.isEmpty()) {
            throw new IllegalArgumentException("curve must hold at least one point");
        }
        curve = List.copyOf(curve);
    }

    /** The result of {@code probe}'s run: the last point of the curve is the final figure. */
    static ExtractionResult of(ExtractionProbe probe, long queries, TrainableModel substitute, List<Point> curve,
            long startNanos) {
        Point end = curve.get(curve.size() - 1);
        return new ExtractionResult(probe.name(), probe.config(), queries, substitute, end.accuracy(),
                end.fidelity(), curve, (System.nanoTime() - startNanos) / 1e9, Provenance.current());
    }

    /** What the victim released. */
    public Answers answers() {
        return config.answers();
    }

    /** The seed of the probe's random choices. */
    public long seed() {
        return config.seed();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s answers): %d queries, accuracy %.4f, fidelity %.4f, %.1f s",
                probe, answers().name().toLowerCase(Locale.ROOT), queries, accuracy, fidelity, seconds);
    }
}
