package dev.rampart.defenses.detection;

import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Labels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A detector in front of a model at prediction time: every prediction comes with its detector
 * score and whether it was flagged, so that a service can refuse, log or route flagged inputs.
 *
 * <pre>{@code
 * Guard guard = new Guard(model, FeatureSqueezing.builder(model).fit(cleanImages));
 * Guard.Decisions d = guard.predict(incoming);
 * if (d.flagged()[0]) { ... }
 * }</pre>
 *
 * @param model the guarded model
 * @param detector the fitted detector
 */
public record Guard(Classifier model, Detector detector) {

    /**
     * Predictions with their detector verdicts.
     *
     * @param classes the model's predicted classes
     * @param scores the detector's scores
     * @param flagged whether each input was flagged as likely adversarial
     */
    public record Decisions(int[] classes, double[] scores, boolean[] flagged) {
    }

    public Guard {
        if (model == null || detector == null) {
            throw new IllegalArgumentException("model and detector must not be null");
        }
    }

    /** Predicts and scores {@code x}. */
    public Decisions predict(INDArray x) {
        int[] classes = Labels.argmax(model.predictProbabilities(x));
        double[] scores = detector.score(x);
        return new Decisions(classes, scores, detector.flag(scores));
    }
}
