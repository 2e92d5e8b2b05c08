package dev.rampart.defenses.privacy.audit;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.privacy.DpSgd;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

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
 * labels; these audit any training routine as a black box, from the final model. Input-space
 * canaries give loose bounds. {@link #runGradient} audits DP-SGD itself in the white-box setting of
 * Nasr, Hayes, Steinke, Balle, Tramèr, Jagielski, Carlini &amp; Terzis ("Tight auditing of
 * differentially private machine learning", USENIX Security 2023): {@link Canaries#GRADIENT} canaries
 * are Dirac gradients added to the clipped sums, scored from every step's released sum, which gives
 * far tighter bounds. A bound is a proof of a leak, never of its absence.
 *
 * <pre>{@code
 * PrivacyAudit.Result r = PrivacyAudit.run((data, seed) -> trainWithDpSgd(data, seed), train, heldOut,
 *         PrivacyAudit.Config.of(500, 100));
 * r.epsilonLowerBound();   // at 95% confidence, delta 1e-5
 *
 * DpSgd<MultiLayerNetworkModel> dp = DpSgd.builder(model).clipNorm(1).noiseMultiplier(1.1).build();
 * PrivacyAudit.GradientAudit g = PrivacyAudit.runGradient(dp, train,
 *         PrivacyAudit.Config.of(1000, 200).kind(PrivacyAudit.Canaries.GRADIENT));
 * g.audit().epsilonLowerBound() <= g.training().epsilon();   // else the DP-SGD run is broken
 * }</pre>
 */
public final class PrivacyAudit {

    /** What the canaries are. */
    public enum Canaries {
        /** Held-out images with a random wrong label. */
        MISLABELED,
        /** Uniform noise images over the training set's value range, with random labels. */
        NOISE,
        /**
         * Dirac gradients of norm {@code C} on parameters where the data's gradient is smallest,
         * added to DP-SGD's clipped sums ({@link #runGradient} only).
         */
        GRADIENT
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
     * @param included canaries that were trained on
     * @param correct {@code v}: right guesses
     * @param epsilonLowerBound the bound at the configured confidence and delta
     * @param scores each canary's membership score, lower meaning more likely trained on: its loss
     *        under the trained model, or for gradient canaries minus its summed released gradient
     * @param in whether each canary was trained on
     * @param config the settings (canaries, guesses, kind, delta, confidence, seed)
     * @param provenance versions and backend
     */
    public record Result(int included, int correct, double epsilonLowerBound, double[] scores, boolean[] in,
            Config config, Provenance provenance) {

        public Result {
            scores = scores.clone();
            in = in.clone();
        }

        /** {@code m}. */
        public int canaries() {
            return config.canaries();
        }

        /** {@code r}. */
        public int guesses() {
            return config.guesses();
        }

        @Override
        public double[] scores() {
            return scores.clone();
        }

        @Override
        public boolean[] in() {
            return in.clone();
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "epsilon_lower_bound=%.4f (%d of %d guesses right, %d of %d"
                    + " %s canaries trained on, delta %s, confidence %s, seed %d)", epsilonLowerBound, correct,
                    config.guesses(), included, config.canaries(), config.kind().name().toLowerCase(java.util.Locale.ROOT),
                    config.delta(), config.confidence(), config.seed());
        }
    }

    /**
     * A white-box audit of a DP-SGD run.
     *
     * @param audit the canaries, guesses and bound
     * @param training the run's accounting: its epsilon is the upper bound the audit checks
     */
    public record GradientAudit(Result audit, DpSgd.PrivacyReport training) {

        /** Whether the audit proves more than the accountant allows: the run is not private as claimed. */
        public boolean broken() {
            return audit.epsilonLowerBound() > training.epsilon();
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
        if (config.kind() == Canaries.GRADIENT) {
            throw new IllegalArgumentException("gradient canaries go into DP-SGD's sums, not into the data: use"
                    + " PrivacyAudit.runGradient with the DpSgd run");
        }
        LabeledData canaries = canaries(train, pool, config);
        boolean[] in = coins(config);
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
        return judge(losses(model, canaries), in, config);
    }

    /**
     * A white-box audit of a DP-SGD run with {@link Canaries#GRADIENT} canaries: picks {@code m}
     * parameters where the training data's gradient at the initial parameters is smallest (chosen
     * before any coin is flipped, so the choice cannot bias the bound), includes a Dirac canary on
     * each with probability 1/2 ({@link DpSgd#withGradientCanaries}), trains once, and scores each
     * canary by the sum of its coordinate over every step's released noisy sum: an included canary
     * adds {@code C} each time it is sampled. The highest sums are guessed "in".
     *
     * @param training the DP-SGD run to audit, unchanged (its model is trained in place, as
     *        {@link DpSgd#fit} does)
     * @param train the training set; not modified
     * @param config the settings; its kind must be {@link Canaries#GRADIENT}
     * @throws IllegalArgumentException naming a bad argument: another kind of canary, more canaries
     *         than the model has parameters, data that does not fit the model
     */
    public static <M extends GradientClassifier & PerExampleGradients> GradientAudit runGradient(DpSgd<M> training,
            LabeledData train, Config config) {
        if (training == null || train == null || config == null) {
            throw new IllegalArgumentException("training, train and config must not be null");
        }
        if (config.kind() != Canaries.GRADIENT) {
            throw new IllegalArgumentException("runGradient needs kind GRADIENT, found " + config.kind()
                    + " (input-space canaries go through PrivacyAudit.run)");
        }
        M model = training.model();
        long parameters = model.parameters().length();
        if (config.canaries() > parameters) {
            throw new IllegalArgumentException("canaries (" + config.canaries() + ") exceed the model's " + parameters
                    + " parameters");
        }
        int[] coordinates = quietCoordinates(model, train, config);
        boolean[] in = coins(config);
        int[] inserted = IntStream.range(0, in.length).filter(i -> in[i]).map(i -> coordinates[i]).toArray();
        double[] sums = new double[coordinates.length];
        DpSgd.PrivacyReport report = training.withGradientCanaries(inserted, (step, noisySum) -> {
            for (int k = 0; k < sums.length; k++) {
                sums[k] += noisySum.getDouble(0, coordinates[k]);
            }
        }).fit(train);
        double[] scores = new double[sums.length];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = -sums[k];
        }
        return new GradientAudit(judge(scores, in, config), report);
    }

    /**
     * A multi-run audit's outcome.
     *
     * @param falsePositives runs without the canary called "in"
     * @param falseNegatives runs with the canary called "out"
     * @param threshold the score above which a run is called "in": half the canary's expected
     *        contribution {@code C q T}, fixed before any run
     * @param epsilonLowerBound the Clopper-Pearson bound at {@code confidence}
     * @param epsilonUpperBound the accountant's epsilon of the audited runs
     * @param scores each run's score (the canary coordinate summed over every released step)
     * @param in whether each run had the canary
     * @param delta the delta both bounds are stated for
     * @param confidence of the lower bound
     * @param seed fixes which runs have the canary and each run's seed
     * @param provenance versions and backend
     */
    public record MultiRunResult(int falsePositives, int falseNegatives, double threshold, double epsilonLowerBound,
            double epsilonUpperBound, double[] scores, boolean[] in, double delta, double confidence, long seed,
            Provenance provenance) {

        public MultiRunResult {
            scores = scores.clone();
            in = in.clone();
        }

        /** Runs made. */
        public int runs() {
            return scores.length;
        }

        @Override
        public double[] scores() {
            return scores.clone();
        }

        @Override
        public boolean[] in() {
            return in.clone();
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "epsilon_lower_bound=%.4f over %d runs (%d false positives, %d"
                    + " false negatives; accountant %.4f, delta %s, confidence %s, seed %d)", epsilonLowerBound,
                    scores.length, falsePositives, falseNegatives, epsilonUpperBound, delta, confidence, seed);
        }
    }

    /**
     * The classic multi-run audit (Jagielski, Ullman &amp; Oprea, "Auditing differentially private
     * machine learning", NeurIPS 2020) with one Dirac gradient canary: half of {@code runs} DP-SGD
     * runs have the canary, the others not (which is which is seeded), each run is scored by the
     * canary's coordinate summed over every released step, and a run is called "in" when its score
     * is above half the canary's expected contribution {@code C q T}. The threshold is fixed before
     * any run, so it cannot overfit the scores; the error counts give
     * {@link EpsilonLowerBound#clopperPearson}. Each run costs a training run: this audit suits
     * small models; {@link #runGradient} needs only one run.
     *
     * @param training a fresh DP-SGD run (new model) for a run seed; every run must have the same
     *        settings
     * @param train the training set; not modified
     * @param runs at least 2
     * @param delta the runs' delta, in [0, 1)
     * @param confidence of the bound, in (0, 1)
     * @param seed fixes the runs
     * @throws IllegalArgumentException naming a bad argument, or if the runs' settings differ
     */
    public static <M extends GradientClassifier & PerExampleGradients> MultiRunResult runGradientMultiRun(
            java.util.function.LongFunction<DpSgd<M>> training, LabeledData train, int runs, double delta,
            double confidence, long seed) {
        if (training == null || train == null) {
            throw new IllegalArgumentException("training and train must not be null");
        }
        if (runs < 2) {
            throw new IllegalArgumentException("runs must be at least 2, found " + runs);
        }
        Config one = new Config(2, 2, Canaries.GRADIENT, delta, confidence, seed); // checks delta and confidence
        SplittableRandom rng = Seeds.random(Seeds.derive(seed, 3));
        boolean[] in = new boolean[runs];
        for (int i : Seeds.sample(runs, runs / 2, rng)) {
            in[i] = true;
        }
        double[] scores = new double[runs];
        double threshold = Double.NaN;
        double upper = Double.NaN;
        DpSgd.Config first = null;
        for (int i = 0; i < runs; i++) {
            long runSeed = Seeds.derive(seed, 100 + i);
            DpSgd<M> dp = training.apply(runSeed);
            if (dp == null) {
                throw new IllegalArgumentException("training gave no DP-SGD run for run " + i);
            }
            DpSgd.Config c = dp.config();
            if (first == null) {
                first = c;
                double q = (double) c.expectedBatchSize() / train.size();
                long steps = (long) c.epochs() * (long) Math.ceil((double) train.size() / c.expectedBatchSize());
                threshold = c.clipNorm() * q * steps / 2;
            } else if (c.clipNorm() != first.clipNorm() || c.noiseMultiplier() != first.noiseMultiplier()
                    || c.expectedBatchSize() != first.expectedBatchSize() || c.epochs() != first.epochs()) {
                throw new IllegalArgumentException("run " + i + " has settings " + c + ", run 0 had " + first);
            }
            int coordinate = quietCoordinates(dp.model(), train, one.seed(runSeed))[0];
            double[] sum = {0};
            DpSgd.PrivacyReport report = dp.withGradientCanaries(in[i] ? new int[] {coordinate} : new int[0],
                    (step, noisySum) -> sum[0] += noisySum.getDouble(0, coordinate)).fit(train);
            upper = report.epsilon();
            scores[i] = sum[0];
        }
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < runs; i++) {
            boolean called = scores[i] > threshold;
            fp += !in[i] && called ? 1 : 0;
            fn += in[i] && !called ? 1 : 0;
        }
        int positives = runs / 2;
        double bound = EpsilonLowerBound.clopperPearson(fp, runs - positives, fn, positives, delta, 1 - confidence);
        return new MultiRunResult(fp, fn, threshold, bound, upper, scores, in, delta, confidence, seed,
                Provenance.current());
    }

    /** Each canary's coin: included with probability 1/2. */
    private static boolean[] coins(Config config) {
        SplittableRandom rng = Seeds.random(Seeds.derive(config.seed(), 1));
        boolean[] in = new boolean[config.canaries()];
        for (int i = 0; i < in.length; i++) {
            in[i] = rng.nextBoolean();
        }
        return in;
    }

    /**
     * The {@code m} parameters whose gradient on the training data, at the initial parameters, is
     * smallest in magnitude summed over chunks of 32 examples (up to 16 chunks): real updates
     * disturb a canary's score least there. Ties are broken at random (seeded).
     */
    static <M extends GradientClassifier & PerExampleGradients> int[] quietCoordinates(M model, LabeledData train,
            Config config) {
        INDArray x = dev.rampart.core.model.Inputs.checkData(model, train, "train");
        INDArray oneHot = dev.rampart.core.model.Labels.oneHot(train.labels(), model.numClasses())
                .castTo(model.dataType());
        SplittableRandom rng = Seeds.random(Seeds.derive(config.seed(), 2));
        int chunk = Math.min(32, train.size());
        int chunks = Math.min(16, Math.max(1, train.size() / chunk));
        int[] rows = Seeds.sample(train.size(), chunk * chunks, rng);
        INDArray activity = null;
        for (int c = 0; c < chunks; c++) {
            int[] idx = Arrays.copyOfRange(rows, c * chunk, (c + 1) * chunk);
            INDArray g = Transforms.abs(model.parameterGradient(dev.rampart.core.data.Rows.gather(x, idx),
                    dev.rampart.core.data.Rows.gather(oneHot, idx)).reshape(-1).castTo(DataType.DOUBLE), false);
            activity = activity == null ? g : activity.addi(g);
        }
        double[] a = activity.toDoubleVector();
        double[] tie = new double[a.length];
        for (int i = 0; i < tie.length; i++) {
            tie[i] = rng.nextDouble();
        }
        return IntStream.range(0, a.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> a[i]).thenComparingDouble(i -> tie[i]))
                .limit(config.canaries()).mapToInt(Integer::intValue).toArray();
    }

    /** Guesses the lowest scores "in" and the highest "out", and bounds epsilon by the right guesses. */
    private static Result judge(double[] scores, boolean[] in, Config config) {
        int included = 0;
        for (boolean b : in) {
            included += b ? 1 : 0;
        }
        Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).thenComparingInt(i -> i));
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
        return new Result(included, correct, bound, scores, in, config, Provenance.current());
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
