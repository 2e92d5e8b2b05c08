package dev.rampart.defenses.extraction;

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

    private final int decimals;

    /** @throws IllegalArgumentException if {@code decimals} is negative or above 15 */
    public RoundedProbabilities(Classifier victim, int decimals) {
        super(victim);
        if (decimals < 0 || decimals > 15) {
            throw new IllegalArgumentException("decimals must be in [0, 15], found " + decimals);
        }
        this.decimals = decimals;
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
