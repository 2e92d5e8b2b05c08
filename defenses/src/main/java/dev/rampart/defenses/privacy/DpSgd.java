package dev.rampart.defenses.privacy;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Differentially private SGD (Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar &amp; Zhang, "Deep
 * learning with differential privacy", CCS 2016) on a DL4J network's own updater. Every step
 * draws a batch by Poisson sampling (each training example independently with probability
 * {@code q = expectedBatchSize / N}, the sampling the {@link RdpAccountant} accounts for), clips
 * each example's gradient to L2 norm {@code C}, sums, adds Gaussian noise of standard deviation
 * {@code sigma C} to every coordinate, and lets the network's updater take the step with the sum
 * divided by the expected batch size. An empty draw is a step of noise alone.
 *
 * <p>Per-example norms come from one batched pass ({@link PerExampleGradients}); the clipped sum
 * from one more pass of the network's own backward with soft labels {@code (1 - c_i) p_i + c_i y_i}:
 * a softmax cross-entropy step's gradient at the logits is then {@code c_i (p_i - y_i)}, so the
 * network's summed gradient is {@code sum_i c_i g_i}, the clipped sum exactly. Networks with batch
 * normalization or dropout are refused (no per-example gradient of their training function), as are
 * heads other than softmax with multi-class cross-entropy. Noise comes from
 * {@link NoiseSource#secure()} unless a seeded source is given (tests only).
 *
 * <pre>{@code
 * MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
 * PrivacyReport report = DpSgd.builder(model).clipNorm(1.0).noiseMultiplier(1.1).expectedBatchSize(256)
 *         .epochs(15).delta(1e-5).build().fit(train);
 * report.epsilon();   // spent, by the RDP accountant
 * }</pre>
 *
 * @param <M> a network adapter with per-example gradients
 */
public final class DpSgd<M extends GradientClassifier & PerExampleGradients> {

    /**
     * DP-SGD's configuration.
     *
     * @param clipNorm the per-example L2 clipping norm {@code C}
     * @param noiseMultiplier {@code sigma}: the noise's standard deviation over {@code C}
     * @param expectedBatchSize {@code q N}
     * @param epochs passes over the data ({@code ceil(N / expectedBatchSize)} steps each)
     * @param delta the delta the privacy spent is reported for
     * @param seed fixes the sampling (and the noise of a seeded source)
     */
    public record Config(double clipNorm, double noiseMultiplier, int expectedBatchSize, int epochs, double delta,
            long seed) {

        /** @throws IllegalArgumentException naming the parameter and its value */
        public Config {
            Check.positive("clipNorm", clipNorm);
            Check.positive("noiseMultiplier", noiseMultiplier);
            if (expectedBatchSize <= 0) {
                throw new IllegalArgumentException("expectedBatchSize must be positive, found " + expectedBatchSize);
            }
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be positive, found " + epochs);
            }
            Check.share("delta", delta);
        }
    }

    /**
     * What a run spent and reached, per epoch.
     *
     * @param epochs one entry per epoch
     * @param steps steps taken
     * @param sampleRate {@code q}
     * @param epsilon the privacy spent at the end, at {@code delta}
     * @param order the RDP order that gives it
     * @param config the configuration
     * @param provenance versions and backend
     */
    public record PrivacyReport(List<Epoch> epochs, long steps, double sampleRate, double epsilon, double order,
            Config config, Provenance provenance) {

        public PrivacyReport {
            epochs = List.copyOf(epochs);
        }
    }

    /**
     * One epoch.
     *
     * @param epoch index from 0
     * @param epsilon privacy spent so far
     * @param seconds wall time of the epoch's steps
     * @param clippedShare share of the sampled examples whose gradient was clipped
     * @param heldOutAccuracy accuracy on the held-out data (NaN without)
     */
    public record Epoch(int epoch, double epsilon, double seconds, double clippedShare, double heldOutAccuracy) {
    }

    /**
     * Sees every step's released gradient: the noisy clipped sum {@code [1, parameters]}, before the
     * updater divides it by the expected batch size. DP-SGD's guarantee covers every such release,
     * so a white-box auditor may read them all. The array lives in the step's workspace: it is valid
     * only during the call, must not be modified, and is kept by {@code noisySum.detach()}.
     */
    @FunctionalInterface
    public interface StepListener {
        /** @param step index from 0 over the whole run */
        void step(long step, INDArray noisySum);
    }

    private final M model;
    private final Config config;
    private final NoiseSource noise;
    private final LabeledData heldOut;
    private final Consumer<Epoch> onEpoch;
    private final StepListener onStep;
    private final int[] canaryCoordinates;

    private DpSgd(M model, Config config, NoiseSource noise, LabeledData heldOut, Consumer<Epoch> onEpoch,
            StepListener onStep, int[] canaryCoordinates) {
        this.model = model;
        this.config = config;
        this.noise = noise;
        this.heldOut = heldOut;
        this.onEpoch = onEpoch;
        this.onStep = onStep;
        this.canaryCoordinates = canaryCoordinates;
    }

    /** A builder with defaults C 1, sigma 1, expected batch 256, 10 epochs, delta 1e-5. */
    public static <M extends GradientClassifier & PerExampleGradients> Builder<M> builder(M model) {
        return new Builder<>(model);
    }

    public Config config() {
        return config;
    }

    /** The model this run trains in place. */
    public M model() {
        return model;
    }

    /**
     * The same run with Dirac gradient canaries, for a white-box privacy audit (Nasr, Hayes, Steinke,
     * Balle, Tramèr, Jagielski, Carlini &amp; Terzis, "Tight auditing of differentially private machine
     * learning", USENIX Security 2023): canary {@code k} is an extra training example whose clipped
     * gradient is {@code C} times the unit vector of parameter {@code coordinates[k]}. Each step
     * samples it with probability {@code q}, like every training example, so the accountant's
     * epsilon covers it. Training with canaries is training on extra examples: for audits only.
     *
     * @param coordinates distinct parameter indices (may be empty)
     * @param listener sees every step's noisy sum (null for none)
     * @throws IllegalArgumentException naming a coordinate outside the parameters or repeated
     */
    public DpSgd<M> withGradientCanaries(int[] coordinates, StepListener listener) {
        if (coordinates == null) {
            throw new IllegalArgumentException("coordinates must not be null");
        }
        long parameters = model.parameters().length();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int j : coordinates) {
            if (j < 0 || j >= parameters) {
                throw new IllegalArgumentException("canary coordinate " + j + " is outside the model's " + parameters
                        + " parameters");
            }
            if (!seen.add(j)) {
                throw new IllegalArgumentException("canary coordinate " + j + " is repeated");
            }
        }
        return new DpSgd<>(model, config, noise, heldOut, onEpoch, listener, coordinates.clone());
    }

    /**
     * Trains the model in place on {@code train}, accounting every step.
     *
     * @throws IllegalArgumentException if the data does not fit the model or the expected batch
     *     is larger than the data
     */
    public PrivacyReport fit(LabeledData train) {
        if (train == null) {
            throw new IllegalArgumentException("train must not be null");
        }
        int n = train.size();
        if (config.expectedBatchSize() > n) {
            throw new IllegalArgumentException("expectedBatchSize " + config.expectedBatchSize() + " is above the "
                    + n + " training examples: the sampling rate must be in (0, 1]");
        }
        double q = (double) config.expectedBatchSize() / n;
        int stepsPerEpoch = (int) Math.ceil((double) n / config.expectedBatchSize());
        INDArray x = dev.rampart.core.model.Inputs.checkData(model, train, "train"); // once; steps trust it
        INDArray oneHot = Labels.oneHot(train.labels(), model.numClasses()).castTo(model.dataType());
        SplittableRandom sampler = Seeds.random(Seeds.derive(config.seed(), 1));
        SplittableRandom canarySampler = Seeds.random(Seeds.derive(config.seed(), 2));
        long step = 0;
        RdpAccountant accountant = new RdpAccountant();
        model.parameterGradient(Rows.gather(x, new int[] {0}), Rows.gather(oneHot, new int[] {0})); // gradient layout
        List<Epoch> epochs = new ArrayList<>();
        // the noise of the next step is drawn on another thread while this step computes
        java.util.concurrent.ExecutorService drawer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rampart-dp-noise");
            t.setDaemon(true);
            return t;
        });
        long parameters = model.parameters().length();
        java.util.concurrent.Callable<INDArray> draw = () -> noise.gaussians(parameters, model.dataType())
                .muli(config.noiseMultiplier() * config.clipNorm());
        java.util.concurrent.Future<INDArray> nextNoise = drawer.submit(draw);
        try {
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            long start = System.nanoTime();
            long[] tally = {0, 0}; // examples clipped, examples sampled
            for (int s = 0; s < stepsPerEpoch; s++) {
                // the step's batch, gradients and sum live in the loop's workspace; the network's
                // parameters and updater state are updated in place
                try (MemoryWorkspace ws = Workspaces.loop()) {
                    int[] idx = poisson(n, q, sampler);
                    INDArray sum = idx.length == 0 ? Nd4j.zeros(model.dataType(), 1, model.parameters().length())
                            : clippedSum(Rows.gather(x, idx), Rows.gather(oneHot, idx), c -> {
                                for (double f : c) {
                                    tally[0] += f < 1 ? 1 : 0;
                                }
                                tally[1] += c.length;
                            });
                    INDArray drawn = take(nextNoise);
                    for (int j : canaryCoordinates) {
                        if (canarySampler.nextDouble() < q) {
                            sum.putScalar(0, j, sum.getDouble(0, j) + config.clipNorm());
                        }
                    }
                    sum.addi(drawn.reshape(sum.shape()));
                    drawn.close(); // one parameter-sized array per step: freed now, not by the collector
                    nextNoise = drawer.submit(draw);
                    if (onStep != null) {
                        onStep.step(step, sum);
                    }
                    step++;
                    model.applyGradient(sum, config.expectedBatchSize());
                }
                accountant.step(config.noiseMultiplier(), q, 1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            RdpAccountant.Spent spent = accountant.spent(config.delta(), RdpAccountant.DEFAULT_ORDERS);
            double accuracy = heldOut == null ? Double.NaN
                    : Metrics.accuracy(model.predictClasses(heldOut.features()), heldOut.labels());
            Epoch e = new Epoch(epoch, spent.epsilon(), seconds, tally[1] == 0 ? 0 : (double) tally[0] / tally[1],
                    accuracy);
            epochs.add(e);
            if (onEpoch != null) {
                onEpoch.accept(e);
            }
        }
        } finally {
            drawer.shutdownNow();
        }
        RdpAccountant.Spent spent = accountant.spent(config.delta(), RdpAccountant.DEFAULT_ORDERS);
        return new PrivacyReport(epochs, accountant.steps(), q, spent.epsilon(), spent.order(), config,
                Provenance.current());
    }

    /**
     * Trains on the examples of a DL4J iterator, read once into memory: Poisson sampling draws each
     * step from the whole set, so it needs random access (the iterator's own batching is not used).
     *
     * @throws IllegalArgumentException if a batch is masked or its labels are not one-hot
     */
    public PrivacyReport fit(org.nd4j.linalg.dataset.api.iterator.DataSetIterator train) {
        return fit(LabeledData.of(train, "train"));
    }

    /** Indices drawn each with probability {@code q}, ascending. */
    static int[] poisson(int n, double q, SplittableRandom rnd) {
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < q) {
                out[k++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    /**
     * {@code sum_i min(1, C / |g_i|) g_i} over the batch, flattened as the model's parameters.
     *
     * @param factors receives each example's clipping factor
     */
    INDArray clippedSum(INDArray x, INDArray oneHot, Consumer<double[]> factors) {
        PerExampleGradients.ClippedGradient c = model.clippedGradient(x, oneHot, config.clipNorm());
        factors.accept(c.factors());
        return c.sum().reshape(1, -1);
    }

    /** The noise drawn for this step: {@code N(0, (sigma C)^2)} per coordinate. */
    private static INDArray take(java.util.concurrent.Future<INDArray> noise) {
        try {
            return noise.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing noise", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("drawing noise failed: " + e.getCause(), e.getCause());
        }
    }

    /** Builds a {@link DpSgd}; every value is checked in {@link #build()}. */
    public static final class Builder<M extends GradientClassifier & PerExampleGradients> {
        private final M model;
        private double clipNorm = 1;
        private double noiseMultiplier = 1;
        private int expectedBatchSize = 256;
        private int epochs = 10;
        private double delta = 1e-5;
        private long seed;
        private NoiseSource noise = NoiseSource.secure();
        private LabeledData heldOut;
        private Consumer<Epoch> onEpoch;
        private StepListener onStep;

        private Builder(M model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The per-example clipping norm {@code C} (default 1). */
        public Builder<M> clipNorm(double c) {
            this.clipNorm = c;
            return this;
        }

        /** {@code sigma} (default 1). */
        public Builder<M> noiseMultiplier(double sigma) {
            this.noiseMultiplier = sigma;
            return this;
        }

        /** The expected batch size {@code q N} (default 256). */
        public Builder<M> expectedBatchSize(int b) {
            this.expectedBatchSize = b;
            return this;
        }

        public Builder<M> epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** The delta the privacy spent is reported for (default 1e-5). */
        public Builder<M> delta(double delta) {
            this.delta = delta;
            return this;
        }

        public Builder<M> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Where the noise comes from (default {@link NoiseSource#secure()}). */
        public Builder<M> noise(NoiseSource noise) {
            this.noise = noise;
            return this;
        }

        /** Held-out data whose accuracy is measured after every epoch. */
        public Builder<M> evaluateOn(LabeledData heldOut) {
            this.heldOut = heldOut;
            return this;
        }

        public Builder<M> onEpoch(Consumer<Epoch> onEpoch) {
            this.onEpoch = onEpoch;
            return this;
        }

        /** Sees every step's noisy clipped sum ({@link StepListener}). */
        public Builder<M> onStep(StepListener onStep) {
            this.onStep = onStep;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value, or if the head is not softmax with cross-entropy */
        public DpSgd<M> build() {
            if (noise == null) {
                throw new IllegalArgumentException("noise must not be null (use NoiseSource.secure())");
            }
            if (!model.softmaxCrossEntropyOutput()) {
                throw new IllegalArgumentException("DP-SGD needs a softmax output trained with multi-class cross-entropy"
                        + " (MCXENT or NEGATIVELOGLIKELIHOOD, no class weights)");
            }
            return new DpSgd<>(model, new Config(clipNorm, noiseMultiplier, expectedBatchSize, epochs, delta, seed),
                    noise, heldOut, onEpoch, onStep, new int[0]);
        }
    }
}
