package dev.rampart.defenses.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;

/**
 * Releases only high confidences: every probability below {@code cutoff} is set to 0, except the
 * top one, which is always kept; the row is renormalized. Confident answers become one-hot, and
 * the low probabilities that carry most of a model's "dark knowledge" disappear.
 *
 * <pre>{@code
 * Classifier api = new ConfidenceCutoff(victim, 0.25);
 * }</pre>
 */
public final class ConfidenceCutoff extends OutputDefense {

    /**
     * @param cutoff probabilities below it are released as 0 (except the top one), in (0, 1]
     */
    public record Config(double cutoff) implements OutputDefense.Config {
        /** @throws IllegalArgumentException if {@code cutoff} is not in (0, 1] */
        public Config {
            Check.shareUpToOne("cutoff", cutoff);
        }

        @Override
        public ConfidenceCutoff wrap(Classifier victim) {
            return new ConfidenceCutoff(victim, cutoff);
        }
    }

    private final double cutoff;

    /** @throws IllegalArgumentException if {@code victim} is null or {@code cutoff} is not in (0, 1] */
    public ConfidenceCutoff(Classifier victim, double cutoff) {
        super(victim);
        this.cutoff = new Config(cutoff).cutoff();
    }

    @Override
    public Config config() {
        return new Config(cutoff);
    }

    @Override
    protected double[] release(double[] p, long row) {
        int t = top(p, -1);
        double[] r = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            r[k] = k == t || p[k] >= cutoff ? Math.max(0, p[k]) : 0;
        }
        return normalize(r, t);
    }

    @Override
    public boolean keepsTopLabel() {
        return true;
    }

    @Override
    public ConfidenceCutoff copy() {
        return new ConfidenceCutoff(inner.copy(), cutoff);
    }

    @Override
    public String toString() {
        return "probabilities below " + cutoff + " cut off";
    }
}
