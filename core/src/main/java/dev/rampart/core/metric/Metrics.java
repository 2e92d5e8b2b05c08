package dev.rampart.core.metric;

/**
 * Counting metrics over per-example results.
 *
 * <pre>{@code
 * double acc = Metrics.accuracy(model.predictClasses(x), labels);
 * double detected = Metrics.share(detector.flag(xAdv), result.success());
 * }</pre>
 */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The fraction of examples whose prediction equals the label.
     *
     * @throws IllegalArgumentException if the arrays differ in length or are empty
     */
    public static double accuracy(int[] predicted, int[] labels) {
        if (predicted.length != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("accuracy needs equally long, non-empty arrays, found "
                    + predicted.length + " predictions and " + labels.length + " labels");
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * The fraction of {@code flags} set, among the examples {@code among} marks ({@code null}: all);
     * 0 if none is marked.
     */
    public static double share(boolean[] flags, boolean[] among) {
        int hits = 0;
        int n = 0;
        for (int i = 0; i < flags.length; i++) {
            if (among == null || among[i]) {
                n++;
                hits += flags[i] ? 1 : 0;
            }
        }
        return n == 0 ? 0 : (double) hits / n;
    }

    /**
     * The Wilson score interval (Wilson 1927) of a proportion of {@code successes} in {@code trials}
     * at {@code confidence}: unlike the normal approximation it stays inside [0, 1] and is not
     * empty at 0 or {@code trials} successes, as robust accuracies near 0% often are.
     *
     * @return {@code {lower, upper}}
     * @throws IllegalArgumentException if the counts or the confidence are invalid
     */
    public static double[] wilson(int successes, int trials, double confidence) {
        if (trials <= 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("wilson needs 0 <= successes <= trials and trials > 0, found "
                    + successes + " of " + trials);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), found " + confidence);
        }
        org.apache.commons.math3.stat.interval.ConfidenceInterval ci =
                new org.apache.commons.math3.stat.interval.WilsonScoreInterval().createInterval(trials, successes,
                        confidence);
        return new double[] {Math.max(0, ci.getLowerBound()), Math.min(1, ci.getUpperBound())};
    }

    /**
     * How many standard errors the share {@code k1 / n1} lies above {@code k2 / n2}: the pooled
     * two-proportion z statistic, 0 when the pooled share is 0 or 1 (no evidence either way).
     *
     * @throws IllegalArgumentException if a count is negative or above its total, or a total is not positive
     */
    public static double excessZ(long k1, int n1, long k2, int n2) {
        if (n1 <= 0 || n2 <= 0 || k1 < 0 || k2 < 0 || k1 > n1 || k2 > n2) {
            throw new IllegalArgumentException("excessZ needs 0 <= k <= n and n > 0, found " + k1 + " of " + n1
                    + " and " + k2 + " of " + n2);
        }
        double p = (double) (k1 + k2) / (n1 + n2);
        if (p <= 0 || p >= 1) {
            return 0;
        }
        return ((double) k1 / n1 - (double) k2 / n2) / Math.sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2));
    }

    /** The number of flags set. */
    public static int count(boolean[] flags) {
        int c = 0;
        for (boolean b : flags) {
            c += b ? 1 : 0;
        }
        return c;
    }
}
