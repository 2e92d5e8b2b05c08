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
        double[] s = score(x);
        boolean[] f = new boolean[s.length];
        double t = threshold();
        for (int i = 0; i < s.length; i++) {
            f[i] = s[i] > t;
        }
        return f;
    }
}
