package dev.rampart.defenses.privacy.audit;

import dev.rampart.defenses.certification.RandomizedSmoothing;
import org.apache.commons.math3.distribution.BinomialDistribution;

/**
 * Empirical lower bounds on a training run's epsilon: what an auditor's membership guesses prove
 * about the run, at a stated confidence. An upper bound (the accountant's) below such a lower bound
 * means the run is not as private as claimed: a bug in clipping, noise or accounting.
 *
 * <ul>
 *   <li>{@link #oneRun}: Steinke, Nasr &amp; Jagielski, "Privacy auditing with one (1) training run",
 *       NeurIPS 2023. {@code m} canaries are each included with probability 1/2, the auditor guesses
 *       the inclusion of {@code r} of them and gets {@code v} right. Under (epsilon, delta)-DP the
 *       chance of {@code v} or more right is at most {@code P[Binomial(r, q) >= v] + 2 m delta a},
 *       with {@code q = e^eps / (1 + e^eps)} and {@code a} the largest mean of the binomial's
 *       probabilities just below {@code v} (their Theorem 3); the bound is the largest epsilon that this
 *       p-value rejects.</li>
 *   <li>{@link #clopperPearson}: Jagielski, Ullman &amp; Oprea, "Auditing differentially private
 *       machine learning", NeurIPS 2020. Over many runs, a distinguisher's false positive and false
 *       negative rates, bounded above by Clopper-Pearson intervals, give
 *       {@code max(ln((1 - delta - FPR) / FNR), ln((1 - delta - FNR) / FPR))}.</li>
 * </ul>
 *
 * <pre>{@code
 * double eps = EpsilonLowerBound.oneRun(1000, 200, 170, 1e-5, 0.05);   // 1000 canaries, 170 of 200 guesses right
 * }</pre>
 */
public final class EpsilonLowerBound {

    private EpsilonLowerBound() {
    }

    /**
     * The one-run lower bound: the largest epsilon at which {@code v} or more right guesses out of
     * {@code r} would have probability below {@code beta} (0 if none).
     *
     * @param m canaries, each included with probability 1/2, at least 1
     * @param r guesses made (the rest abstained), in [0, m]
     * @param v right guesses, in [0, r]
     * @param delta the run's claimed delta, in [0, 1)
     * @param beta one minus the confidence, in (0, 1): 0.05 for 95%
     * @throws IllegalArgumentException naming a bad argument
     */
    public static double oneRun(int m, int r, int v, double delta, double beta) {
        checkCounts(m, r, v);
        checkDelta(delta);
        checkBeta(beta);
        if (pValue(m, r, v, 0, delta) >= beta) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        while (pValue(m, r, v, hi, delta) < beta) {
            lo = hi;
            hi *= 2;
            if (hi > 1e4) {
                return Double.POSITIVE_INFINITY; // cannot happen for v <= r: q^r reaches beta
            }
        }
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (pValue(m, r, v, mid, delta) < beta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The probability of {@code v} or more right guesses out of {@code r} under (epsilon, delta)-DP,
     * capped at 1: the one-run test's p-value.
     */
    public static double pValue(int m, int r, int v, double epsilon, double delta) {
        checkCounts(m, r, v);
        checkDelta(delta);
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("epsilon must be at least 0, found " + epsilon);
        }
        if (v == 0) {
            return 1;
        }
        double q = 1 / (1 + Math.exp(-epsilon));
        // P[Binomial(r, q) >= v] as the lower tail of the wrong guesses, accurate when it is tiny
        double tail = r - v < 0 ? 0 : new BinomialDistribution(null, r, 1 - q).cumulativeProbability(r - v);
        double a = 0;
        if (delta > 0) {
            BinomialDistribution right = new BinomialDistribution(null, r, q);
            double below = 0;
            for (int i = 1; i <= v; i++) {
                below += right.probability(v - i);
                a = Math.max(a, below / i);
            }
        }
        return Math.min(1, tail + 2.0 * m * delta * a);
    }

    /**
     * The multi-run lower bound from a distinguisher's errors over runs with and without the
     * audited example, each rate bounded above at confidence {@code 1 - beta / 2} (so both hold at
     * {@code 1 - beta}).
     *
     * @param falsePositives runs without the example that the distinguisher called "in"
     * @param negatives runs without the example, at least 1
     * @param falseNegatives runs with the example called "out"
     * @param positives runs with the example, at least 1
     * @throws IllegalArgumentException naming a bad argument
     */
    public static double clopperPearson(int falsePositives, int negatives, int falseNegatives, int positives,
            double delta, double beta) {
        if (negatives < 1 || falsePositives < 0 || falsePositives > negatives) {
            throw new IllegalArgumentException("falsePositives must be in [0, negatives] with negatives >= 1, found "
                    + falsePositives + " of " + negatives);
        }
        if (positives < 1 || falseNegatives < 0 || falseNegatives > positives) {
            throw new IllegalArgumentException("falseNegatives must be in [0, positives] with positives >= 1, found "
                    + falseNegatives + " of " + positives);
        }
        checkDelta(delta);
        checkBeta(beta);
        double fpr = upper(falsePositives, negatives, beta / 2);
        double fnr = upper(falseNegatives, positives, beta / 2);
        return Math.max(0, Math.max(logRatio(1 - delta - fpr, fnr), logRatio(1 - delta - fnr, fpr)));
    }

    private static double logRatio(double a, double b) {
        return a > 0 ? Math.log(a / b) : 0;
    }

    /** The one-sided Clopper-Pearson upper bound on {@code k / n} at level {@code 1 - alpha}. */
    static double upper(int k, int n, double alpha) {
        return 1 - RandomizedSmoothing.clopperPearsonLower(n - k, n, alpha);
    }

    private static void checkCounts(int m, int r, int v) {
        if (m < 1) {
            throw new IllegalArgumentException("m (canaries) must be at least 1, found " + m);
        }
        if (r < 0 || r > m) {
            throw new IllegalArgumentException("r (guesses) must be in [0, m=" + m + "], found " + r);
        }
        if (v < 0 || v > r) {
            throw new IllegalArgumentException("v (right guesses) must be in [0, r=" + r + "], found " + v);
        }
    }

    private static void checkDelta(double delta) {
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in [0, 1), found " + delta);
        }
    }

    private static void checkBeta(double beta) {
        if (!(beta > 0 && beta < 1)) {
            throw new IllegalArgumentException("beta (one minus the confidence) must be in (0, 1), found " + beta);
        }
    }
}
