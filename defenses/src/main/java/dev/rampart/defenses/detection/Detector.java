package dev.rampart.defenses.detection;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An adversarial-input detector: scores inputs (higher means more likely adversarial) and flags
 * those above a threshold calibrated on clean data. Detectors are immutable once fitted and can
 * stand in front of a model through {@link Guard}.
 *
 * <pre>{@code
 * Detector d = FeatureSqueezing.builder(model).falsePositiveRate(0.05).fit(cleanImages);
 * boolean[] suspicious = d.flag(incoming);
 * }</pre>
 */
public interface Detector {

    /** One score per example of {@code x}; higher means more likely adversarial. */
    double[] score(INDArray x);

    /** Examples scoring above this are flagged. */
    double threshold();

    /** Whether each example of {@code x} scores above {@link #threshold()}. */
    default boolean[] flag(INDArray x) {
        return flag(score(x));
    }

    /** Whether each of {@code scores} is above {@link #threshold()}. */
    default boolean[] flag(double[] scores) {
        boolean[] f = new boolean[scores.length];
        double t = threshold();
        for (int i = 0; i < scores.length; i++) {
            f[i] = scores[i] > t;
        }
        return f;
    }
}
