package dev.rampart.defenses.privacy.audit;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * An empirical privacy audit of one training run (Steinke, Nasr &amp; Jagielski, NeurIPS 2023): adds
 * each of {@code m} canaries to the training set with probability 1/2, trains once with the user's
 * routine, scores every canary by the trained model's loss on it, guesses the lowest-loss ones
 * "in" and the highest-loss ones "out", and turns the right guesses into
 * {@link EpsilonLowerBound#oneRun a lower bound on epsilon}. A DP run whose accountant claims an
 * epsilon below the audit's bound is broken.
 *
 * <p>Canaries: {@link Canaries#MISLABELED} held-out images with a wrong label drawn at random (the
 * model can fit them only by memorizing), or {@link Canaries#NOISE} uniform noise images with random
 * labels. Input-space canaries give loose bounds (Nasr et al. 2023: gradient canaries are tighter);
 * the bound is a proof of a leak, never of its absence.
 *
 * <pre>{@code
 * PrivacyAudit.Result r = PrivacyAudit.run((data, seed) -> trainWithDpSgd(data, seed), train, heldOut,
 *         PrivacyAudit.Config.of(500, 100));
 * r.epsilonLowerBound();   // at 95% confidence, delta 1e-5
 * }</pre>
 */
public final class PrivacyAudit {

    /** What the canaries are. */
    public enum Canaries {
        /** Held-out images with a random wrong label. */
        MISLABELED,
        /** Uniform noise images over the training set's value range, with random labels. */
        NOISE
    }

    /**
     * The audit's settings.
     *
     * @param canaries {@code m}, at least 2
     * @param guesses {@code r}: the lowest-loss half of them guessed "in", the highest-loss rest
     *        "out"; in [2, canaries]
     * @param kind the canaries
     * @param delta the run's claimed delta, in [0, 1)
     * @param confidence of the bound, in (0, 1): 0.95
     * @param seed fixes the canaries, their labels and which are included
     */
    public record Config(int canaries, int guesses, Canaries kind, double delta, double confidence, long seed) {

        /** @throws IllegalArgumentException naming the setting and its value */
        public Config {
            if (canaries < 2) {
                throw new IllegalArgumentException("canaries must be at least 2, found " + canaries);
            }
            if (guesses < 2 || guesses > canaries) {
                throw new IllegalArgumentException("guesses must be in [2, canaries=" + canaries + "], found "
                        + guesses);
            }
            if (kind == null) {
                throw new IllegalArgumentException("kind must not be null");
            }
            if (!(delta >= 0 && delta < 1)) {
                throw new IllegalArgumentException("delta must be in [0, 1), found " + delta);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in (0, 1), found " + confidence);
            }
        }

        /** Mislabeled canaries, delta 1e-5, 95% confidence, seed 0. */
        public static Config of(int canaries, int guesses) {
            return new Config(canaries, guesses, Canaries.MISLABELED, 1e-5, 0.95, 0);
        }

        public Config kind(Canaries k) {
            return new Config(canaries, guesses, k, delta, confidence, seed);
        }

        public Config delta(double d) {
            return new Config(canaries, guesses, kind, d, confidence, seed);
        }

        public Config seed(long s) {
            return new Config(canaries, guesses, kind, delta, confidence, s);
        }
    }

    /**
     * An audit's outcome.
     *
     * @param canaries {@code m}
     * @param included canaries that were trained on
     * @param guesses {@code r}
     * @param correct {@code v}: right guesses
     * @param epsilonLowerBound the bound at {@code confidence}
     * @param delta the delta it is stated for
     * @param confidence its confidence
     * @param losses each canary's loss under the trained model
     * @param in whether each canary was trained on
     */
    public record Result(int canaries, int included, int guesses, int correct, double epsilonLowerBound, double delta,
            double confidence, double[] losses, boolean[] in) {

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "epsilon_lower_bound=%.4f (%d of %d guesses right, %d of %d"
                    + " canaries trained on, delta %s, confidence %s)", epsilonLowerBound, correct, guesses, included,
                    canaries, delta, confidence);
        }
    }

    private PrivacyAudit() {
    }

    /**
     * Runs the audit: one training run on {@code train} plus the included canaries.
     *
     * @param routine trains the audited model (the user's DP training, unchanged)
     * @param train the training set; not modified
     * @param pool held-out examples the mislabeled canaries are drawn from (not in {@code train});
     *        unused for noise canaries, may then be null
     * @throws IllegalArgumentException naming a bad argument: too few pool examples, shapes or
     *         classes that differ from the training set's, fewer than 2 classes
     */
    public static Result run(TrainingRoutine routine, LabeledData train, LabeledData pool, Config config) {
        if (routine == null || train == null || config == null) {
            throw new IllegalArgumentException("routine, train and config must not be null");
        }
        if (train.numClasses() < 2) {
            throw new IllegalArgumentException("the training set needs at least 2 classes, found "
                    + train.numClasses());
        }
        LabeledData canaries = canaries(train, pool, config);
        SplittableRandom rng = Seeds.random(Seeds.derive(config.seed(), 1));
        boolean[] in = new boolean[config.canaries()];
        int included = 0;
        for (int i = 0; i < in.length; i++) {
            in[i] = rng.nextBoolean();
            included += in[i] ? 1 : 0;
        }
        int[] chosen = IntStream.range(0, in.length).filter(i -> in[i]).toArray();
        LabeledData withCanaries = train;
        if (chosen.length > 0) {
            LabeledData added = canaries.rows(chosen, "canaries");
            int[] labels = IntStream.concat(Arrays.stream(train.labels()), Arrays.stream(added.labels())).toArray();
            withCanaries = new LabeledData(train.name() + "+canaries", Nd4j.concat(0,
                    train.features().castTo(DataType.FLOAT), added.features().castTo(DataType.FLOAT)), labels,
                    train.numClasses());
        }
        Classifier model = routine.train(withCanaries, config.seed());
        double[] losses = losses(model, canaries);
        Integer[] order = IntStream.range(0, losses.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> losses[i]).thenComparingInt(i -> i));
        int guessIn = (config.guesses() + 1) / 2;
        int guessOut = config.guesses() - guessIn;
        int correct = 0;
        for (int k = 0; k < guessIn; k++) {
            correct += in[order[k]] ? 1 : 0;
        }
        for (int k = 0; k < guessOut; k++) {
            correct += in[order[order.length - 1 - k]] ? 0 : 1;
        }
        double bound = EpsilonLowerBound.oneRun(config.canaries(), config.guesses(), correct, config.delta(),
                1 - config.confidence());
        return new Result(config.canaries(), included, config.guesses(), correct, bound, config.delta(),
                config.confidence(), losses, in);
    }

    /** The canaries of {@code config}, before any is included. */
    static LabeledData canaries(LabeledData train, LabeledData pool, Config config) {
        int m = config.canaries();
        SplittableRandom rng = Seeds.random(Seeds.derive(config.seed(), 0));
        long[] shape = train.exampleShape();
        int k = train.numClasses();
        int[] labels = new int[m];
        INDArray x;
        if (config.kind() == Canaries.MISLABELED) {
            if (pool == null) {
                throw new IllegalArgumentException("mislabeled canaries need a pool of held-out examples, found null");
            }
            if (pool.size() < m) {
                throw new IllegalArgumentException("canaries (" + m + ") exceed the pool's " + pool.size()
                        + " held-out examples");
            }
            if (!Arrays.equals(pool.exampleShape(), shape) || pool.numClasses() != k) {
                throw new IllegalArgumentException("the pool's examples are " + Arrays.toString(pool.exampleShape())
                        + " of " + pool.numClasses() + " classes; the training set's are " + Arrays.toString(shape)
                        + " of " + k);
            }
            LabeledData picked = pool.rows(Seeds.sample(pool.size(), m, rng), "canaries");
            for (int i = 0; i < m; i++) {
                labels[i] = (picked.labels()[i] + 1 + rng.nextInt(k - 1)) % k;
            }
            x = picked.features().castTo(DataType.FLOAT).dup();
        } else {
            double lo = train.features().minNumber().doubleValue();
            double hi = train.features().maxNumber().doubleValue();
            long per = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] v = new float[(int) (m * per)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
            }
            long[] full = new long[shape.length + 1];
            full[0] = m;
            System.arraycopy(shape, 0, full, 1, shape.length);
            x = Nd4j.create(v, full);
            for (int i = 0; i < m; i++) {
                labels[i] = rng.nextInt(k);
            }
        }
        return new LabeledData("canaries", x, labels, k);
    }

    /** Cross-entropy of each example's own label, in chunks of 256. */
    static double[] losses(Classifier model, LabeledData d) {
        double[] out = new double[d.size()];
        for (int from = 0; from < d.size(); from += 256) {
            int to = Math.min(d.size(), from + 256);
            INDArray p = model.predictProbabilities(d.features().get(NDArrayIndex.interval(from, to)));
            for (int i = from; i < to; i++) {
                double pi = p.getDouble(i - from, d.labels()[i]);
                out[i] = -Math.log(Math.max(pi, 1e-30));
            }
        }
        return out;
    }
}
