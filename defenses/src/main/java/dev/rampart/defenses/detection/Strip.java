package dev.rampart.defenses.detection;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.random.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * STRIP, run-time detection of backdoor triggers (Gao, Xu, Wang, Chen, Ranasinghe &amp; Nepal,
 * "STRIP: a defence against trojan attacks on deep neural networks", ACSAC 2019): an input is
 * superimposed on {@code samples} clean images and classified each time. A clean input's blends
 * are classified variously (high entropy); an input carrying a trigger keeps being sent to the
 * attacker's class (low entropy). The score is minus the mean prediction entropy of the blends;
 * the threshold is set on clean inputs for a target false-positive rate. Superimposing is the
 * pixel-wise sum clipped to the input domain, as in the paper; the overlay images are drawn once
 * from the seed, so an input's score does not depend on its batch.
 *
 * <pre>{@code
 * Strip strip = Strip.builder(model).overlays(cleanTrain.features()).samples(100).falsePositiveRate(0.01)
 *         .fit(cleanHeldOut.features());
 * Guard guard = Guard.flagging(model, strip);     // flag at prediction time
 * }</pre>
 */
public final class Strip implements Detector {

    /**
     * STRIP's configuration.
     *
     * @param samples blends per input
     * @param falsePositiveRate the share of clean inputs it may flag, in (0, 1)
     * @param seed the seed of the overlay draw
     */
    public record Config(int samples, double falsePositiveRate, long seed) implements Detector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.positive("samples", samples);
            Check.share("falsePositiveRate", falsePositiveRate);
        }
    }

    private final Classifier model;
    private final INDArray overlays;
    private final Config config;
    private final Calibration calibration;

    private Strip(Classifier model, INDArray overlays, Config config, Calibration calibration) {
        this.model = model;
        this.overlays = overlays;
        this.config = config;
        this.calibration = calibration;
    }

    public static Builder builder(Classifier model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "STRIP";
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Calibration calibration() {
        return calibration;
    }

    @Override
    public double[] score(INDArray x) {
        return scores(model, overlays, Inputs.asType(model, x, "x"));
    }

    /** Blended images classified in one forward pass, at most (at least one input's blends). */
    private static final int BLENDS_PER_PASS = 1024;

    private static double[] scores(Classifier model, INDArray overlays, INDArray x) {
        Inputs.checkBatch(model, x, "x");
        Inputs.checkFiniteInDomain(x, model.domain(), "x");
        int n = (int) x.size(0);
        int k = (int) overlays.size(0);
        long d = overlays.length() / k;
        INDArray flatOverlays = overlays.reshape(k, d);
        double[] out = new double[n];
        Classifier fast = model.unchecked();
        INDArray flatX = Inputs.dense(x).reshape(n, d);
        // several inputs' blends per forward pass: one pass of k images per input is slow for small k
        int chunk = Math.max(1, Math.min(n, BLENDS_PER_PASS / k));
        long[] shape = overlays.shape().clone();
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            INDArray blends = Nd4j.create(overlays.dataType(), (long) m * k, d);
            for (int j = 0; j < m; j++) {
                blends.get(NDArrayIndex.interval((long) j * k, (long) (j + 1) * k), NDArrayIndex.all())
                        .assign(flatOverlays).addiRowVector(flatX.getRow(from + j).reshape(1, d));
            }
            model.domain().clipInPlace(blends);
            shape[0] = (long) m * k;
            double[][] p = fast.predictProbabilities(blends.reshape(shape)).castTo(DataType.DOUBLE).toDoubleMatrix();
            for (int j = 0; j < m; j++) {
                double h = 0;
                for (int r = j * k; r < (j + 1) * k; r++) {
                    for (double v : p[r]) {
                        h -= v > 0 ? v * Math.log(v) : 0;
                    }
                }
                out[from + j] = -h / k;
            }
        }
        return out;
    }

    /** Builds a {@link Strip}: overlays, number of blends, false-positive rate, seed, then {@link #fit}. */
    public static final class Builder {
        private final Classifier model;
        private INDArray pool;
        private int samples = 100;
        private double falsePositiveRate = 0.01;
        private long seed;

        private Builder(Classifier model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** Clean images to superimpose (for example held-out training images). */
        public Builder overlays(INDArray pool) {
            this.pool = pool;
            return this;
        }

        /** Blends per input (default 100, as in the paper). */
        public Builder samples(int n) {
            this.samples = n;
            return this;
        }

        /** The false-positive rate on clean inputs, in (0, 1) (default 0.01). */
        public Builder falsePositiveRate(double fpr) {
            this.falsePositiveRate = fpr;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Draws the overlays and sets the threshold on clean inputs.
         *
         * @throws IllegalArgumentException naming an invalid setting, or too few clean inputs for
         *     the false-positive rate
         */
        public Strip fit(INDArray clean) {
            if (pool == null) {
                throw new IllegalArgumentException("overlays must be given (clean images to superimpose)");
            }
            INDArray p = Inputs.asType(model, pool, "overlays");
            Inputs.checkBatch(model, p, "overlays");
            Inputs.checkFiniteInDomain(p, model.domain(), "overlays");
            if (samples <= 0 || samples > p.size(0)) {
                throw new IllegalArgumentException("samples must be in [1, " + p.size(0) + "] (the overlay images),"
                        + " found " + samples);
            }
            if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
                throw new IllegalArgumentException("falsePositiveRate must be in (0, 1), found " + falsePositiveRate);
            }
            int[] chosen = Seeds.sample((int) p.size(0), samples, Seeds.random(seed));
            INDArray overlays = dev.rampart.core.data.Rows.gather(p, chosen);
            Config config = new Config(samples, falsePositiveRate, seed);
            INDArray c = Inputs.asType(model, clean, "clean");
            return new Strip(model, overlays, config, Calibration.of(scores(model, overlays, c), falsePositiveRate));
        }
    }
}
