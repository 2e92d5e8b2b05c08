package dev.rampart.defenses.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Releases probabilities rounded half-up to {@code decimals} decimal places (Tramèr, Zhang, Juels,
 * Reiter &amp; Ristenpart, "Stealing Machine Learning Models via Prediction APIs", USENIX Security
 * 2016, evaluate this counter-measure). Rows are not renormalized: they are what the rounding
 * gives. The released label is the victim's top-1 (rounding can only tie it, and ties go to it).
 *
 * <pre>{@code
 * Classifier api = new RoundedProbabilities(victim, 2);   // 0.8734 -> 0.87
 * }</pre>
 */
public final class RoundedProbabilities extends OutputDefense {

    /**
     * @param decimals decimal places kept, in [0, 15]
     */
    public record Config(int decimals) implements OutputDefense.Config {
        /** @throws IllegalArgumentException if {@code decimals} is negative or above 15 */
        public Config {
            Check.inRange("decimals", decimals, 0, 15);
        }

        @Override
        public RoundedProbabilities wrap(Classifier victim) {
            return new RoundedProbabilities(victim, decimals);
        }
    }

    private final int decimals;

    /** @throws IllegalArgumentException if {@code victim} is null or {@code decimals} is negative or above 15 */
    public RoundedProbabilities(Classifier victim, int decimals) {
        super(victim);
        this.decimals = new Config(decimals).decimals();
    }

    @Override
    public Config config() {
        return new Config(decimals);
    }

    @Override
    protected double[] release(double[] p, long row) {
        double[] r = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            r[k] = BigDecimal.valueOf(p[k]).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
        }
        return r;
    }

    @Override
    public boolean keepsTopLabel() {
        return true;
    }

    @Override
    public RoundedProbabilities copy() {
        return new RoundedProbabilities(inner.copy(), decimals);
    }

    @Override
    public String toString() {
        return "probabilities rounded to " + decimals + " decimals";
    }
}
