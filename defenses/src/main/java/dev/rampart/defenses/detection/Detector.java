package dev.rampart.defenses.detection;

import dev.rampart.defenses.guard.Screen;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An adversarial-input detector: scores inputs (higher means more likely adversarial) and flags
 * those above a threshold calibrated on clean data. Detectors are immutable once fitted; a detector
 * is a {@link Screen}, so it stands in front of a model through a
 * {@link dev.rampart.defenses.guard.Guard}.
 *
 * <pre>{@code
 * Detector d = FeatureSqueezing.builder(model).falsePositiveRate(0.05).fit(cleanImages);
 * boolean[] suspicious = d.flag(incoming);
 * }</pre>
 */
public interface Detector extends Screen {

    /** What every detector's configuration record holds. */
    interface Config {
        /** The share of clean inputs the detector may flag, in (0, 1). */
        double falsePositiveRate();
    }

    /** A short name for reports, such as {@code feature squeezing}. */
    String name();

    /** The detector's configuration record, valid by construction. */
    Config config();

    /** How the threshold was set on clean data. */
    Calibration calibration();

    /** One score per example of {@code x}; higher means more likely adversarial. */
    @Override
    double[] score(INDArray x);

    /** Examples scoring above this are flagged. */
    default double threshold() {
        return calibration().threshold();
    }

    /** Whether each example of {@code x} scores above {@link #threshold()}. */
    default boolean[] flag(INDArray x) {
        return flag(score(x));
    }

    /** Whether each of {@code scores} is above {@link #threshold()}. */
    @Override
    default boolean[] flag(double[] scores) {
        boolean[] f = new boolean[scores.length];
        double t = threshold();
        for (int i = 0; i < scores.length; i++) {
            f[i] = scores[i] > t;
        }
        return f;
    }
}
