package dev.rampart.defenses.certification;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import java.util.Arrays;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.AlternativeHypothesis;
import org.apache.commons.math3.stat.inference.BinomialTest;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Randomized smoothing (Cohen, Rosenfeld &amp; Kolter, "Certified Adversarial Robustness via
 * Randomized Smoothing", ICML 2019). The smoothed classifier {@code g(x)} is the class the base
 * classifier {@code f} returns most often on {@code x + N(0, sigma^2 I)}. If the top class has
 * probability at least {@code pA > 1/2} under the noise, {@code g} returns it everywhere within L2
 * distance {@code sigma * inverseNormal(pA)} of {@code x}, whatever the model.
 *
 * <ul>
 *   <li>{@link #certify}: the paper's CERTIFY. {@code n0} noisy copies choose the top class, {@code n}
 *       fresh copies count it, and the one-sided Clopper-Pearson bound at level {@code alpha} gives
 *       {@code pA}'s lower bound; the example is certified at radius {@code sigma *
 *       inverseNormal(pA)} when that bound exceeds 1/2, and abstained from otherwise. Each
 *       certificate is wrong with probability at most {@code alpha}.</li>
 *   <li>{@link #predict}: the paper's PREDICT. {@code n} copies; the top class is returned when a
 *       two-sided binomial test of its count against the runner-up's rejects equality at
 *       {@code alpha}, and abstained from otherwise; a wrong (non-abstaining) answer has
 *       probability at most {@code alpha}.</li>
 * </ul>
 *
 * <p>Noisy copies are clipped to the model's input domain before {@code f} sees them: the base
 * classifier is then {@code f} after clipping, another fixed function, so the guarantee holds
 * unchanged (the paper does not clip). Noise comes from ND4J's generator in batches of
 * {@code batchSize}, seeded per example from its index ({@link Seeds#derive}), so certifying a set
 * in parts gives each example the certificate it gets in one run. The base classifier should be
 * trained on Gaussian noise of the same {@code sigma} (Gaussian data augmentation:
 * {@code AdversarialTraining.Method.GAUSSIAN}); a model that never saw noise abstains on most
 * examples.
 *
 * <pre>{@code
 * RandomizedSmoothing smoothing = RandomizedSmoothing.builder(model).sigma(0.25).n0(100).n(100_000)
 *         .alpha(0.001).seed(0).build();
 * SmoothingCertificates c = smoothing.certify(testSet);
 * c.certifiedAccuracy(0.5);          // share of test examples certified correct at L2 radius 0.5
 * }</pre>
 */
public final class RandomizedSmoothing {

    /** The class of an example the smoothed classifier abstains on. */
    public static final int ABSTAIN = -1;

    /** The largest batch of noisy copies (one pass holds batchSize copies of an example). */
    public static final int MAX_BATCH = 65_536;

    /**
     * The configuration.
     *
     * @param sigma the noise's standard deviation, in input units
     * @param n0 noisy copies that choose the top class (certify)
     * @param n noisy copies that estimate its probability (certify) or decide (predict)
     * @param alpha the probability that a certificate (or a non-abstaining prediction) is wrong, in (0, 1)
     * @param batchSize noisy copies classified in one forward pass
     * @param seed fixes every noise draw, per example from its index
     */
    public record Config(double sigma, int n0, int n, double alpha, int batchSize, long seed) {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.positive("sigma", sigma);
            Check.positive("n0", n0);
            Check.positive("n", n);
            if (n0 > n) {
                throw new IllegalArgumentException("n0 must be at most n (" + n + "), found " + n0);
            }
            Check.share("alpha", alpha);
            Check.inRange("batchSize", batchSize, 1, MAX_BATCH);
        }
    }

    /**
     * PREDICT's answers.
     *
     * @param classes the smoothed classifier's class per example, or {@link #ABSTAIN}
     * @param pValues the binomial test's p-value per example (top class against the runner-up)
     * @param config the configuration
     * @param firstIndex the index of the first example (its noise seed)
     * @param provenance how the answers were made
     */
    public record Prediction(int[] classes, double[] pValues, Config config, long firstIndex, Provenance provenance) {
        /** Copies the arrays. */
        public Prediction {
            classes = classes.clone();
            pValues = pValues.clone();
        }

        @Override
        public int[] classes() {
            return classes.clone();
        }

        @Override
        public double[] pValues() {
            return pValues.clone();
        }
    }

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private final Classifier model;
    private final Config config;

    private RandomizedSmoothing(Classifier model, Config config) {
        this.model = model;
        this.config = config;
    }

    public static Builder builder(Classifier model) {
        return new Builder(Check.notNull("model", model));
    }

    public Config config() {
        return config;
    }

    /** {@link #certify(INDArray, long)} of {@code data}'s examples from index 0, with their labels. */
    public SmoothingCertificates certify(LabeledData data) {
        Inputs.checkData(model, data, "data");
        return certify(data.features(), 0, data.labels());
    }

    /** {@link #certify(INDArray, long)} from index 0. */
    public SmoothingCertificates certify(INDArray x) {
        return certify(x, 0, null);
    }

    /**
     * CERTIFY for every example of {@code x}; {@code x} is not modified.
     *
     * @param x a batch of the model's input shape, inside its domain
     * @param firstIndex the index of {@code x}'s first example in the whole set (its noise seed)
     * @throws IllegalArgumentException naming {@code x} if it is not a finite batch inside the domain,
     *     or {@code firstIndex} if it is negative
     */
    public SmoothingCertificates certify(INDArray x, long firstIndex) {
        return certify(x, firstIndex, null);
    }

    private SmoothingCertificates certify(INDArray input, long firstIndex, int[] labels) {
        INDArray x = checked(input, firstIndex);
        int size = (int) x.size(0);
        int[] classes = new int[size];
        double[] radii = new double[size];
        double[] lower = new double[size];
        int[] counts = new int[size];
        long t0 = System.nanoTime();
        for (int i = 0; i < size; i++) {
            long index = firstIndex + i;
            INDArray xi = x.get(NDArrayIndex.interval(i, i + 1));
            int guess = argmax(counts(xi, config.n0(), Seeds.derive(config.seed(), index, 0)));
            int nA = counts(xi, config.n(), Seeds.derive(config.seed(), index, 1))[guess];
            double pA = clopperPearsonLower(nA, config.n(), config.alpha());
            counts[i] = nA;
            lower[i] = pA;
            if (pA > 0.5) {
                classes[i] = guess;
                radii[i] = config.sigma() * STANDARD_NORMAL.inverseCumulativeProbability(pA);
            } else {
                classes[i] = ABSTAIN;
            }
        }
        return new SmoothingCertificates(classes, radii, lower, counts, labels, config, firstIndex,
                (System.nanoTime() - t0) / 1e9, Provenance.current());
    }

    /** PREDICT from index 0. */
    public Prediction predict(INDArray x) {
        return predict(x, 0);
    }

    /**
     * PREDICT for every example of {@code x}; {@code x} is not modified.
     *
     * @throws IllegalArgumentException naming {@code x} or {@code firstIndex} (see {@link #certify(INDArray, long)})
     */
    public Prediction predict(INDArray input, long firstIndex) {
        INDArray x = checked(input, firstIndex);
        int size = (int) x.size(0);
        int[] classes = new int[size];
        double[] p = new double[size];
        BinomialTest test = new BinomialTest();
        for (int i = 0; i < size; i++) {
            int[] c = counts(x.get(NDArrayIndex.interval(i, i + 1)), config.n(),
                    Seeds.derive(config.seed(), firstIndex + i, 2));
            int top = argmax(c);
            int runnerUp = ABSTAIN;
            for (int k = 0; k < c.length; k++) {
                if (k != top && (runnerUp == ABSTAIN || c[k] > c[runnerUp])) {
                    runnerUp = k;
                }
            }
            int nA = c[top];
            int nB = c[runnerUp];
            p[i] = test.binomialTest(nA + nB, nA, 0.5, AlternativeHypothesis.TWO_SIDED);
            classes[i] = p[i] <= config.alpha() ? top : ABSTAIN;
        }
        return new Prediction(classes, p, config, firstIndex, Provenance.current());
    }

    /**
     * Certificates put to attacks: every example certified with its label whose adversarial
     * example (from any of {@code attacks}, run on the base classifier or anything else) succeeded
     * within its certified radius is classified again by PREDICT; a non-abstaining answer other than
     * the label breaks the certificate (possible with probability alpha per example when the
     * certificate is sound).
     *
     * @param tried adversarial examples classified again
     * @param broken those the smoothed classifier gave another class
     * @param abstained those it abstained on
     */
    public record AttackCheck(int tried, int broken, int abstained) {
    }

    /**
     * {@link AttackCheck} of {@code certificates} (made by {@link #certify(LabeledData)} on
     * {@code data}) against {@code attacks}' results on the same examples in the same order; each
     * attack's {@link EvasionResult#perturbationNorm() norms} must be L2.
     *
     * @throws IllegalArgumentException if the sizes differ or an attack is not L2
     */
    public AttackCheck check(SmoothingCertificates certificates, EvasionResult... attacks) {
        Check.notNull("certificates", certificates);
        int[] labels = certificates.labels();
        if (labels == null) {
            throw new IllegalArgumentException("certificates must carry labels: certify a LabeledData");
        }
        int[] classes = certificates.classes();
        double[] radii = certificates.radii();
        int tried = 0;
        int broken = 0;
        int abstained = 0;
        for (EvasionResult r : attacks) {
            if (r.size() != classes.length || r.norm() != Norm.L2) {
                throw new IllegalArgumentException("attack " + r.attack() + " must be L2 on the " + classes.length
                        + " certified examples, found " + r.norm() + " on " + r.size());
            }
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] == labels[i] && r.success()[i] && r.perturbationNorm()[i] <= radii[i]) {
                    int answer = predict(r.adversarial().get(NDArrayIndex.interval(i, i + 1)),
                            certificates.firstIndex() + i).classes()[0];
                    tried++;
                    abstained += answer == ABSTAIN ? 1 : 0;
                    broken += answer != ABSTAIN && answer != labels[i] ? 1 : 0;
                }
            }
        }
        return new AttackCheck(tried, broken, abstained);
    }

    /**
     * The one-sided Clopper-Pearson lower confidence bound at level {@code 1 - alpha} on a binomial
     * proportion with {@code k} successes in {@code n} trials: the {@code alpha} quantile of
     * Beta(k, n - k + 1), or 0 when {@code k} is 0.
     *
     * @throws IllegalArgumentException unless {@code 0 <= k <= n}, {@code n >= 1} and alpha is in (0, 1)
     */
    public static double clopperPearsonLower(int k, int n, double alpha) {
        Check.positive("n", n);
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, n=" + n + "], found " + k);
        }
        Check.share("alpha", alpha);
        if (k == 0) {
            return 0;
        }
        if (k == n) {
            return Math.pow(alpha, 1.0 / n); // exact: P(all n succeed) = p^n = alpha
        }
        return new BetaDistribution(null, k, n - k + 1.0, 1e-14).inverseCumulativeProbability(alpha);
    }

    private INDArray checked(INDArray input, long firstIndex) {
        INDArray x = Inputs.asType(model, input, "x");
        Inputs.checkBatch(model, x, "x");
        Inputs.checkFiniteInDomain(x, model.domain(), "x");
        if (firstIndex < 0) {
            throw new IllegalArgumentException("firstIndex must not be negative, found " + firstIndex);
        }
        return Inputs.dense(x);
    }

    /** How often the base classifier returns each class on {@code copies} noisy copies of {@code x1} ({@code [1, ...]}). */
    private int[] counts(INDArray x1, int copies, long seed) {
        int[] counts = new int[model.numClasses()];
        Classifier fast = model.unchecked();
        long d = x1.length();
        INDArray row = x1.reshape(1, d);
        long[] shape = x1.shape().clone();
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        try {
            for (int done = 0; done < copies; done += config.batchSize()) {
                int b = Math.min(config.batchSize(), copies - done);
                try (MemoryWorkspace ws = Workspaces.loop()) {
                    INDArray noisy = Nd4j.createUninitialized(x1.dataType(), b, d);
                    Nd4j.getExecutioner().exec(new GaussianDistribution(noisy, 0.0, config.sigma()), rng);
                    noisy.addiRowVector(row);
                    model.domain().clipInPlace(noisy);
                    shape[0] = b;
                    for (int c : fast.predictClasses(noisy.reshape(shape))) {
                        counts[c]++;
                    }
                }
            }
        } finally {
            close(rng);
        }
        return counts;
    }

    private static void close(Random rng) {
        try {
            rng.close();
        } catch (Exception e) {
            throw new IllegalStateException("ND4J's random generator could not be closed", e);
        }
    }

    private static int argmax(int[] c) {
        int best = 0;
        for (int k = 1; k < c.length; k++) {
            if (c[k] > c[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Builds a {@link RandomizedSmoothing}; defaults sigma 0.25, n0 100, n 100,000, alpha 0.001, batch 1,000, seed 0. */
    public static final class Builder {
        private final Classifier model;
        private double sigma = 0.25;
        private int n0 = 100;
        private int n = 100_000;
        private double alpha = 0.001;
        private int batchSize = 1000;
        private long seed;

        private Builder(Classifier model) {
            this.model = model;
        }

        public Builder sigma(double sigma) {
            this.sigma = sigma;
            return this;
        }

        public Builder n0(int n0) {
            this.n0 = n0;
            return this;
        }

        public Builder n(int n) {
            this.n = n;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public RandomizedSmoothing build() {
            return new RandomizedSmoothing(model, new Config(sigma, n0, n, alpha, batchSize, seed));
        }
    }

    @Override
    public String toString() {
        return "RandomizedSmoothing" + Arrays.asList(config.sigma(), config.n0(), config.n(), config.alpha());
    }
}
