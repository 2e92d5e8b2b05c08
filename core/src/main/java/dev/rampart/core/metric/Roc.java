package dev.rampart.core.metric;

import java.util.Arrays;

/**
 * The ROC curve of a score that should be higher for positives than for negatives (members of a
 * training set, triggered inputs, adversarial inputs): area under the curve, true-positive rate at
 * a fixed false-positive rate, and the largest advantage {@code TPR - FPR}.
 *
 * <p>The area is the Mann-Whitney probability that a random positive scores above a random
 * negative, ties counting one half. {@link #tprAtFpr} takes the best threshold whose false-positive
 * rate does not exceed the bound; with {@code m} negatives, rates below {@code 1/m} can only be
 * met with no false positive at all, so {@link #negatives()} says how fine the low-FPR figures are
 * (Carlini et al., "Membership inference attacks from first principles", S&amp;P 2022, argue for
 * reporting TPR at 0.1% FPR).
 *
 * <pre>{@code
 * Roc roc = Roc.of(memberScores, nonMemberScores);
 * roc.auc();  roc.tprAtFpr(0.001);  roc.advantage();
 * }</pre>
 */
public final class Roc {

    private final double[] fpr;
    private final double[] tpr;
    private final double[] thresholds;
    private final double auc;
    private final int positives;
    private final int negatives;

    private Roc(double[] fpr, double[] tpr, double[] thresholds, double auc, int positives, int negatives) {
        this.fpr = fpr;
        this.tpr = tpr;
        this.thresholds = thresholds;
        this.auc = auc;
        this.positives = positives;
        this.negatives = negatives;
    }

    /**
     * The curve of {@code positives} against {@code negatives}.
     *
     * @throws IllegalArgumentException if either is empty or holds NaN
     */
    public static Roc of(double[] positives, double[] negatives) {
        check(positives, "positives");
        check(negatives, "negatives");
        int p = positives.length;
        int n = negatives.length;
        double[] all = new double[p + n];
        boolean[] pos = new boolean[p + n];
        Integer[] order = new Integer[p + n];
        for (int i = 0; i < p + n; i++) {
            all[i] = i < p ? positives[i] : negatives[i - p];
            pos[i] = i < p;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(all[b], all[a])); // descending
        double[] f = new double[p + n + 1];
        double[] t = new double[p + n + 1];
        double[] th = new double[p + n + 1];
        th[0] = Double.POSITIVE_INFINITY;
        int k = 1;
        int tp = 0;
        int fp = 0;
        double area = 0;
        for (int i = 0; i < order.length;) {
            double v = all[order[i]];
            int dtp = 0;
            int dfp = 0;
            while (i < order.length && all[order[i]] == v) { // a tie moves both rates at once
                if (pos[order[i]]) {
                    dtp++;
                } else {
                    dfp++;
                }
                i++;
            }
            area += dfp * (tp + dtp / 2.0);
            tp += dtp;
            fp += dfp;
            f[k] = (double) fp / n;
            t[k] = (double) tp / p;
            th[k] = v;
            k++;
        }
        return new Roc(Arrays.copyOf(f, k), Arrays.copyOf(t, k), Arrays.copyOf(th, k), area / ((double) p * n), p, n);
    }

    private static void check(double[] v, String name) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is NaN");
            }
        }
    }

    /** Area under the curve: 0.5 is chance, 1 perfect separation. */
    public double auc() {
        return auc;
    }

    /**
     * The highest true-positive rate among thresholds whose false-positive rate is at most
     * {@code maxFpr}.
     *
     * @throws IllegalArgumentException if {@code maxFpr} is outside [0, 1]
     */
    public double tprAtFpr(double maxFpr) {
        if (!(maxFpr >= 0 && maxFpr <= 1)) {
            throw new IllegalArgumentException("maxFpr must be in [0, 1], found " + maxFpr);
        }
        double best = 0;
        for (int i = 0; i < fpr.length; i++) {
            if (fpr[i] <= maxFpr) {
                best = Math.max(best, tpr[i]);
            }
        }
        return best;
    }

    /** {@code max(TPR - FPR)} over thresholds: Yeom et al.'s membership advantage at the best threshold. */
    public double advantage() {
        double best = 0;
        for (int i = 0; i < fpr.length; i++) {
            best = Math.max(best, tpr[i] - fpr[i]);
        }
        return best;
    }

    /** The false-positive rates of the curve's points, from (0, 0) to (1, 1). */
    public double[] fpr() {
        return fpr.clone();
    }

    /** The true-positive rates of the curve's points. */
    public double[] tpr() {
        return tpr.clone();
    }

    /** Point {@code i} counts scores {@code >= thresholds()[i]} as positive (the first is +infinity). */
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** Number of positives. */
    public int positives() {
        return positives;
    }

    /** Number of negatives: rates below {@code 1 / negatives()} mean no false positive. */
    public int negatives() {
        return negatives;
    }

    /**
     * Rates at one threshold: the share of positives and of negatives scoring strictly above
     * {@code threshold}, and their balanced accuracy {@code (TPR + 1 - FPR) / 2}.
     */
    public static double[] ratesAbove(double[] positives, double[] negatives, double threshold) {
        double tp = 0;
        for (double v : positives) {
            tp += v > threshold ? 1 : 0;
        }
        double fp = 0;
        for (double v : negatives) {
            fp += v > threshold ? 1 : 0;
        }
        double t = tp / positives.length;
        double f = fp / negatives.length;
        return new double[] {t, f, (t + 1 - f) / 2};
    }
}
