package dev.rampart.defenses.detection;

import dev.rampart.core.check.Check;

/**
 * How a detector's threshold was set: the {@code 1 - targetFalsePositiveRate} quantile of the
 * scores of {@code examples} clean inputs, so that at most {@code floor(examples x rate)} of them
 * are flagged.
 *
 * @param examples clean examples it was calibrated on
 * @param targetFalsePositiveRate the requested share of clean inputs flagged
 * @param threshold the resulting threshold (examples scoring above it are flagged)
 */
public record Calibration(int examples, double targetFalsePositiveRate, double threshold) {

    /** @throws IllegalArgumentException naming the first invalid value */
    public Calibration {
        Check.positive("examples", examples);
        Check.share("targetFalsePositiveRate", targetFalsePositiveRate);
        Check.finite("threshold", threshold);
    }

    /**
     * The calibration of {@code cleanScores} at {@code rate}.
     *
     * @throws IllegalArgumentException if there are fewer than {@code 1 / rate} scores, or a score
     *     is not finite
     */
    static Calibration of(double[] cleanScores, double rate) {
        Check.finite(cleanScores, "clean scores");
        return new Calibration(cleanScores.length, rate, Thresholds.atFalsePositiveRate(cleanScores, rate));
    }
}
