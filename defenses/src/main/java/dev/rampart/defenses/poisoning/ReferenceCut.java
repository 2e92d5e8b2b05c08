package dev.rampart.defenses.poisoning;

import dev.rampart.core.metric.Metrics;
import java.util.Arrays;

/**
 * A class judged against its own trusted examples, on any score where higher means more suspect:
 * the cut is the trusted scores' {@code 1 - falsePositiveRate} quantile, and the class is poisoned
 * when the share of its training examples above the cut exceeds the trusted share by more than
 * {@code threshold} standard errors (a two-proportion test). Shared by the detectors that take a
 * trusted reference.
 *
 * @param cut the score above which an example is unexplained by the trusted data
 * @param shareAbove the share of the class's training examples above the cut
 * @param trustedShareAbove the share of its trusted examples above the cut
 * @param excessZ the two-proportion z-score of the difference
 * @param poisoned whether {@code excessZ} exceeds the threshold
 */
record ReferenceCut(double cut, double shareAbove, double trustedShareAbove, double excessZ, boolean poisoned) {

    /**
     * @param scores the class's training examples' scores
     * @param trusted the class's trusted examples' scores (at least one)
     */
    static ReferenceCut judge(double[] scores, double[] trusted, double falsePositiveRate, double threshold) {
        double[] sorted = trusted.clone();
        Arrays.sort(sorted);
        int at = (int) Math.ceil((1 - falsePositiveRate) * sorted.length) - 1;
        double cut = sorted[Math.max(0, Math.min(sorted.length - 1, at))];
        long k1 = above(scores, cut);
        long k2 = above(trusted, cut);
        double z = Metrics.excessZ(k1, scores.length, k2, trusted.length);
        return new ReferenceCut(cut, (double) k1 / scores.length, (double) k2 / trusted.length, z, z > threshold);
    }

    /** How many of {@code v} lie strictly above {@code cut}. */
    static long above(double[] v, double cut) {
        return Arrays.stream(v).filter(t -> t > cut).count();
    }
}
