package dev.rampart.attacks.extraction;

import dev.rampart.core.model.TrainableModel;
import java.util.List;
import java.util.Locale;

/**
 * What an extraction probe achieved: the queries it spent, the final substitute, the substitute's
 * test accuracy and its fidelity (top-1 agreement with the victim on held-out inputs), and the
 * same two numbers at each checkpoint of the budget.
 *
 * @param probe the probe's name and settings
 * @param answers what the victim released
 * @param queries victim queries spent in all
 * @param substitute the substitute trained on every answer
 * @param accuracy the substitute's accuracy on the held-out labelled set
 * @param fidelity the share of held-out inputs on which substitute and victim give the same top-1
 * @param curve accuracy and fidelity against queries, in increasing order of queries
 * @param seconds wall time of the probe, evaluation included
 */
public record ExtractionResult(String probe, Answers answers, long queries, TrainableModel substitute,
        double accuracy, double fidelity, List<Point> curve, double seconds) {

    /** One point of the curve: a substitute trained on the first {@code queries} answers. */
    public record Point(long queries, double accuracy, double fidelity) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d queries: accuracy %.4f, fidelity %.4f", queries, accuracy, fidelity);
        }
    }

    public ExtractionResult {
        curve = List.copyOf(curve);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s answers): %d queries, accuracy %.4f, fidelity %.4f, %.1f s",
                probe, answers.name().toLowerCase(Locale.ROOT), queries, accuracy, fidelity, seconds);
    }
}
