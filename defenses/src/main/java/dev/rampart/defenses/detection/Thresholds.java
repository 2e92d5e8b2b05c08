package dev.rampart.defenses.detection;

import java.util.Arrays;

/** Thresholds calibrated on the scores of clean data. */
final class Thresholds {

    private Thresholds() {
    }

    /**
     * The threshold above which at most {@code floor(n * fpr)} of the {@code n} clean scores lie.
     *
     * @throws IllegalArgumentException if there are fewer than {@code 1 / fpr} scores
     */
    static double atFalsePositiveRate(double[] cleanScores, double fpr) {
        int n = cleanScores.length;
        if (n * fpr < 1) {
            throw new IllegalArgumentException("clean has " + n + " examples; calibrating a false-positive rate of "
                    + fpr + " needs at least " + (int) Math.ceil(1 / fpr));
        }
        double[] s = cleanScores.clone();
        Arrays.sort(s);
        return s[n - 1 - (int) Math.floor(n * fpr)];
    }
}
