package dev.rampart.defenses.detection;

import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Feature squeezing (Xu, Evans &amp; Qi, "Feature Squeezing: Detecting Adversarial Examples in
 * Deep Neural Networks", NDSS 2018). An example's score is the largest L1 distance between the
 * model's probabilities on it and on each squeezed version of it; the threshold is the
 * {@code 1 - falsePositiveRate} quantile of the scores of clean calibration data, so that about
 * that share of clean inputs is flagged. Needs only queries: any {@link Classifier} works.
 *
 * <pre>{@code
 * FeatureSqueezing fs = FeatureSqueezing.builder(model)
 *         .squeezers(new BitDepthReduction(2, InputDomain.UNIT), new MedianSmoothing(2))
 *         .falsePositiveRate(0.05)
 *         .fit(cleanImages);
 * boolean[] flagged = fs.flag(incoming);
 * }</pre>
 */
public final class FeatureSqueezing implements Detector {

    /**
     * How the threshold was set.
     *
     * @param examples clean examples it was calibrated on
     * @param targetFalsePositiveRate the requested share of clean inputs flagged
     * @param threshold the resulting threshold
     */
    public record Calibration(int examples, double targetFalsePositiveRate, double threshold) {
    }

    private final Classifier model;
    private final List<Squeezer> squeezers;
    private final Calibration calibration;

    private FeatureSqueezing(Classifier model, List<Squeezer> squeezers, Calibration calibration) {
        this.model = model;
        this.squeezers = squeezers;
        this.calibration = calibration;
    }

    /**
     * A builder; defaults: 2-bit depth reduction and 2x2 median smoothing, 5% false positives
     * (the best of the settings measured on the bundled Fashion-MNIST CNN, see BENCHMARKS.md).
     */
    public static Builder builder(Classifier model) {
        return new Builder(model);
    }

    @Override
    public double[] score(INDArray x) {
        return scores(model, squeezers, x);
    }

    @Override
    public double threshold() {
        return calibration.threshold();
    }

    public Calibration calibration() {
        return calibration;
    }

    public List<Squeezer> squeezers() {
        return squeezers;
    }

    private static double[] scores(Classifier model, List<Squeezer> squeezers, INDArray input) {
        INDArray x = Inputs.asType(model, input, "x");
        INDArray p = model.predictProbabilities(x);
        INDArray worst = null;
        for (Squeezer s : squeezers) {
            INDArray l1 = Transforms.abs(p.sub(model.predictProbabilities(s.squeeze(x))), false).sum(1);
            worst = worst == null ? l1 : Transforms.max(worst, l1, false);
        }
        return worst.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
    }

    /** Builds and calibrates a {@link FeatureSqueezing} detector. */
    public static final class Builder {
        private final Classifier model;
        private List<Squeezer> squeezers;
        private double falsePositiveRate = 0.05;

        private Builder(Classifier model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
            this.squeezers = List.of(new BitDepthReduction(2, model.domain()), new MedianSmoothing(2));
        }

        /** The squeezers whose largest score counts. */
        public Builder squeezers(Squeezer... squeezers) {
            if (squeezers == null || squeezers.length == 0) {
                throw new IllegalArgumentException("squeezers must name at least one squeezer");
            }
            this.squeezers = List.copyOf(Arrays.asList(squeezers));
            return this;
        }

        /** The share of clean inputs the detector may flag, in {@code (0, 1)}. */
        public Builder falsePositiveRate(double falsePositiveRate) {
            if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
                throw new IllegalArgumentException("falsePositiveRate must be in (0, 1), found " + falsePositiveRate);
            }
            this.falsePositiveRate = falsePositiveRate;
            return this;
        }

        /**
         * Calibrates the threshold on clean inputs the model should accept.
         *
         * @throws IllegalArgumentException if there are too few examples to estimate the
         *     {@code 1 - falsePositiveRate} quantile (fewer than {@code 1 / falsePositiveRate})
         */
        public FeatureSqueezing fit(INDArray clean) {
            Inputs.checkBatch(model, clean, "clean");
            Inputs.checkFiniteInDomain(clean, model.domain(), "clean");
            int n = (int) clean.size(0);
            // flag score > threshold: at most floor(n * fpr) clean calibration examples are flagged
            double threshold = Thresholds.atFalsePositiveRate(scores(model, squeezers, clean), falsePositiveRate);
            return new FeatureSqueezing(model, new ArrayList<>(squeezers),
                    new Calibration(n, falsePositiveRate, threshold));
        }
    }
}
