package dev.rampart.defenses.detection;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
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
     * Feature squeezing's configuration.
     *
     * @param squeezers the squeezers whose largest score counts (at least one)
     * @param falsePositiveRate the share of clean inputs it may flag, in (0, 1)
     */
    public record Config(List<Squeezer> squeezers, double falsePositiveRate) implements Detector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("squeezers", squeezers);
            if (squeezers.isEmpty() || squeezers.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("squeezers must name at least one squeezer, and no null");
            }
            squeezers = List.copyOf(squeezers);
            Check.share("falsePositiveRate", falsePositiveRate);
        }
    }

    private final Classifier model;
    private final Config config;
    private final Calibration calibration;

    private FeatureSqueezing(Classifier model, Config config, Calibration calibration) {
        this.model = model;
        this.config = config;
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
        return scores(model, config.squeezers(), x);
    }

    @Override
    public String name() {
        return "feature squeezing";
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Calibration calibration() {
        return calibration;
    }

    /** The squeezers. */
    public List<Squeezer> squeezers() {
        return config.squeezers();
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
            Config config = new Config(squeezers, falsePositiveRate);
            // flag score > threshold: at most floor(n * fpr) clean calibration examples are flagged
            return new FeatureSqueezing(model, config, Calibration.of(scores(model, squeezers, clean),
                    falsePositiveRate));
        }
    }
}
