package dev.rampart.defenses.guard;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link Guard} asks before its model answers: a score per query (higher means more
 * suspicious) and which queries are flagged. Adversarial-input detectors are screens of the
 * queries themselves; a stateful screen such as PRADA's also records each answered batch through
 * {@link #answered}.
 *
 * <pre>{@code
 * Screen s = FeatureSqueezing.builder(model).fit(cleanImages);   // a Detector is a Screen
 * boolean[] flagged = s.flag(s.score(incoming));
 * }</pre>
 */
public interface Screen {

    /** One score per example of {@code x}, computed before the model answers; higher is more suspicious. */
    double[] score(INDArray x);

    /** Whether each of {@code scores} is flagged. */
    boolean[] flag(double[] scores);

    /**
     * Called with every batch the guard let through and its answers (default: nothing). The
     * arrays are the guard's own copies.
     */
    default void answered(INDArray x, INDArray probabilities) {
    }

    /** What a refusing guard throws for a batch whose {@code rows} were flagged (default: names the rows). */
    default RefusedQueryException refusal(int[] rows) {
        return new RefusedQueryException("the guard refused the batch: " + rows.length + " flagged quer"
                + (rows.length == 1 ? "y" : "ies") + " (rows " + Arrays.toString(rows.length > 10
                        ? Arrays.copyOf(rows, 10) : rows) + (rows.length > 10 ? " ..." : "") + ")", rows);
    }
}
