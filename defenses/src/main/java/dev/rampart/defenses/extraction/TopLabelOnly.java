package dev.rampart.defenses.extraction;

import dev.rampart.core.model.Classifier;

/**
 * Releases only the top-1 label, as a one-hot row: the strongest output restriction, which leaves
 * label-only stealing (Copycat, Knockoff with top-1 answers) untouched and costs no accuracy.
 *
 * <pre>{@code
 * Classifier api = new TopLabelOnly(victim);
 * }</pre>
 */
public final class TopLabelOnly extends OutputDefense {

    /** Top-label-only has no settings. */
    public record Config() implements OutputDefense.Config {
        @Override
        public TopLabelOnly wrap(Classifier victim) {
            return new TopLabelOnly(victim);
        }
    }

    /** @throws IllegalArgumentException if {@code victim} is null */
    public TopLabelOnly(Classifier victim) {
        super(victim);
    }

    @Override
    public Config config() {
        return new Config();
    }

    @Override
    protected double[] release(double[] p, long row) {
        int t = top(p, -1);
        double[] r = new double[p.length];
        r[t] = 1;
        return r;
    }

    @Override
    public boolean keepsTopLabel() {
        return true;
    }

    @Override
    public TopLabelOnly copy() {
        return new TopLabelOnly(inner.copy());
    }

    @Override
    public String toString() {
        return "top-1 label only";
    }
}
