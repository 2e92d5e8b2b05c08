package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Checks every training label against models trained on trusted data only. Dirty-label poison
 * (BadNets, Blend, WaNet, all-to-one or all-to-all) carries a label its content contradicts: a
 * shirt with a trigger, labelled T-shirt. A model trained on the training set learns the trigger
 * and agrees with the label; a model that never saw the trigger does not, whatever the trigger's
 * shape, size or place. So this detector needs no model of the poisoned data and no idea of the
 * trigger: it trains {@code folds} models with the user's routine, each on the trusted set without
 * one fold, scores each training example by its mean negative log-probability of its own label
 * under them, and judges each class against its trusted examples scored out of fold (their
 * {@code 1 - falsePositiveRate} quantile as the cut and a two-proportion test, as
 * {@link Spectre} does with a reference). In a class judged poisoned the poison share {@code pi}
 * is estimated from how far the training scores exceed the trusted ones ({@code (S - F) / (1 - F)},
 * {@code S} and {@code F} the training and trusted shares above a cut, at its one-sided 95% lower
 * bound, the largest over cuts at trusted shares 0.05 to 0.5), and
 * the cut is lowered while the estimated precision {@code 1 - (1 - pi) F / S} stays at least
 * {@code targetPrecision}: the more poison a class holds, the deeper the cut goes (given at least
 * {@link #DEEP_CUT_MIN} trusted examples of the class; with fewer, the judging cut stands).
 *
 * <p>With {@link Builder#crossFit(boolean) crossFit}, each model is also trained on the data's
 * other folds, and each training example is scored by the one model that did not see it (the
 * trusted examples likewise): models trained on many more images read a label better than models
 * of the trusted set alone, but whatever the other folds teach them, they learn, triggers
 * included. Cross-fitting suits wrong labels that nothing in the rest of the data explains (label
 * noise, or a trigger too faint to learn: on the bundled sample, recall 0.93 against 0.82 alone).
 * It does not suit a real trigger: on WaNet at 1% (full Fashion-MNIST, 2 epochs per model) it found
 * less than the trusted models alone, recall 0.435 against 0.600 (BENCHMARKS.md), so it is off by
 * default.
 *
 * <p>The idea of scoring labels by out-of-sample predicted probabilities with per-class
 * thresholds is confident learning's (Northcutt, Jiang &amp; Chuang, "Confident Learning:
 * Estimating Uncertainty in Dataset Labels", JAIR 2021); here the out-of-sample models are trained
 * on trusted data only, so that a trigger in the training set cannot teach them its label.
 * Clean-label attacks (SIG, label-consistent, feature collision) keep labels that fit their
 * content and pass this check: they need a detector of the representation ({@link Spectre}).
 * The trusted set should be several hundred images per class (the poisoning matrix in
 * BENCHMARKS.md uses 500); fewer give weaker models and cuts.
 *
 * <pre>{@code
 * TrainingRoutine routine = ReferenceModels.routine("cnn", 8, 64);
 * PoisonReport r = TrustedLabelCheck.builder(routine, trustedSample).seed(1).build().detect(train);
 * r.classes();   // per class: the excess over the trusted scores, the estimated poison share, the cut
 * }</pre>
 */
public final class TrustedLabelCheck implements ReferenceDetector {

    /**
     * The check's configuration.
     *
     * @param folds models trained on the trusted set, each without one fold (at least 2)
     * @param falsePositiveRate the share of a class's trusted examples above the cut that judges it
     * @param anomalyThreshold a class is poisoned when its share above that cut exceeds the trusted
     *     share by more than this many standard errors
     * @param targetPrecision in a poisoned class, the cut is lowered while the estimated precision
     *     of the flags stays at least this, in (0, 1]
     * @param trustedExamples the size of the trusted set
     * @param crossFit whether the models are also trained on the data's other folds
     * @param seed the folds' shuffle and the routine's seeds
     */
    public record Config(int folds, double falsePositiveRate, double anomalyThreshold, double targetPrecision,
            int trustedExamples, boolean crossFit, long seed) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            if (folds < 2 || folds > MIN_TRUSTED_PER_CLASS) {
                throw new IllegalArgumentException("folds must be in [2, " + MIN_TRUSTED_PER_CLASS + "], found "
                        + folds);
            }
            ReferenceCut.checkSettings(falsePositiveRate, anomalyThreshold, targetPrecision);
            if (trustedExamples < 1) {
                throw new IllegalArgumentException("trustedExamples must be at least 1, found " + trustedExamples);
            }
        }
    }

    /** Trusted examples of every class the check needs at least. */
    public static final int MIN_TRUSTED_PER_CLASS = 20;

    /**
     * Trusted examples a poisoned class needs for its cut to be lowered (with fewer, the judging
     * cut stands).
     */
    public static final int DEEP_CUT_MIN = ReferenceCut.DEEP_CUT_MIN;

    private static final int BATCH = 1000;

    private final TrainingRoutine routine;
    private final LabeledData trusted;
    private final Config config;

    private TrustedLabelCheck(TrainingRoutine routine, LabeledData trusted, Config config) {
        this.routine = routine;
        this.trusted = trusted;
        this.config = config;
    }

    public static Builder builder(TrainingRoutine routine, LabeledData trusted) {
        return new Builder(routine, trusted);
    }

    @Override
    public String name() {
        return config.crossFit() ? "cross-fitted label check" : "trusted label check";
    }

    @Override
    public Config config() {
        return config;
    }

    /** A class needs this many training examples for the two-proportion test to mean anything. */
    @Override
    public int minimumPerClass() {
        return MIN_TRUSTED_PER_CLASS;
    }

    /**
     * @throws IllegalArgumentException if {@code data} is null, or its example shape or class count
     *     differs from the trusted set's
     * @throws IllegalStateException if the routine returns a model of another class count
     */
    @Override
    public ReferenceScores referenceScores(LabeledData data) {
        Check.notNull("data", data);
        if (!Arrays.equals(data.exampleShape(), trusted.exampleShape()) || data.numClasses() != trusted.numClasses()) {
            throw new IllegalArgumentException("data (" + data.name() + ") has examples of shape "
                    + Arrays.toString(data.exampleShape()) + " in " + data.numClasses() + " classes, the trusted set "
                    + Arrays.toString(trusted.exampleShape()) + " in " + trusted.numClasses());
        }
        int k = config.folds();
        int[] fold = folds(trusted.labels(), trusted.numClasses(), k, config.seed());
        int[] dataFold = config.crossFit() ? folds(data.labels(), data.numClasses(), k, config.seed() + 1) : null;
        double[] scores = new double[data.size()];
        double[] trustedScores = new double[trusted.size()];
        for (int f = 0; f < k; f++) {
            int[] in = inFold(fold, f, false);
            int[] out = inFold(fold, f, true);
            LabeledData fit = trusted.rows(in, trusted.name() + ":fold" + f);
            if (dataFold != null) {
                fit = concat(fit, data.rows(inFold(dataFold, f, false), data.name()), data.name() + "+trusted:fold" + f);
            }
            Classifier m = routine.train(fit, config.seed() + f);
            if (m == null || m.numClasses() != data.numClasses()) {
                throw new IllegalStateException("the training routine returned " + (m == null ? "no model"
                        : "a model of " + m.numClasses() + " classes") + " for data of " + data.numClasses());
            }
            double[] heldOut = surprise(m, trusted.rows(out, trusted.name() + ":held" + f));
            for (int j = 0; j < out.length; j++) {
                trustedScores[out[j]] = heldOut[j];
            }
            if (dataFold == null) {
                double[] s = surprise(m, data);
                for (int i = 0; i < s.length; i++) {
                    scores[i] += s[i] / k;
                }
            } else {
                int[] unseen = inFold(dataFold, f, true);
                double[] s = surprise(m, data.rows(unseen, data.name() + ":held" + f));
                for (int j = 0; j < unseen.length; j++) {
                    scores[unseen[j]] = s[j];
                }
            }
        }
        int[][] byClass = Pca.byClass(data.labels(), data.numClasses());
        int[][] refByClass = Pca.byClass(trusted.labels(), trusted.numClasses());
        List<ReferenceScores.ClassScores> classes = new ArrayList<>();
        for (int c = 0; c < byClass.length; c++) {
            int[] idx = byClass[c];
            classes.add(idx.length < minimumPerClass() ? ReferenceScores.ClassScores.notJudged(c, idx)
                    : new ReferenceScores.ClassScores(c, idx, Rows.pick(scores, idx), refByClass[c],
                            Rows.pick(trustedScores, refByClass[c]), Map.of()));
        }
        return new ReferenceScores(name(), "Surprise", data.size(), classes);
    }

    /** @throws IllegalArgumentException if the scores are another detector's */
    @Override
    public PoisonReport judge(ReferenceScores scores) {
        return ReferenceCut.report(this, scores, config.falsePositiveRate(), config.anomalyThreshold(),
                config.targetPrecision(), true);
    }

    @Override
    public int referenceSize() {
        return trusted.size();
    }

    /** Each example's fold: the examples of every class shuffled (seeded) and dealt round the folds. */
    static int[] folds(int[] labels, int classes, int k, long seed) {
        int[] fold = new int[labels.length];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] members : Pca.byClass(labels, classes)) {
            int[] order = members.clone();
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            for (int i = 0; i < order.length; i++) {
                fold[order[i]] = i % k;
            }
        }
        return fold;
    }

    /** The indices whose fold is {@code f} ({@code held}) or is not. */
    private static int[] inFold(int[] fold, int f, boolean held) {
        return java.util.stream.IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == held).toArray();
    }

    /** The rows of {@code a} then those of {@code b}, as one set. */
    private static LabeledData concat(LabeledData a, LabeledData b, String name) {
        int[] y = Arrays.copyOf(a.labels(), a.size() + b.size());
        System.arraycopy(b.labels(), 0, y, a.size(), b.size());
        return new LabeledData(name, org.nd4j.linalg.factory.Nd4j.concat(0, a.features(), b.features()), y,
                a.numClasses());
    }

    /** Each example's negative log-probability of its own label, in batches. */
    private static double[] surprise(Classifier m, LabeledData d) {
        int[] y = d.labels();
        double[] out = new double[d.size()];
        for (int from = 0; from < d.size(); from += BATCH) {
            int to = Math.min(d.size(), from + BATCH);
            INDArray p = m.predictProbabilities(d.features().get(NDArrayIndex.interval(from, to)));
            for (int i = from; i < to; i++) {
                out[i] = -Math.log(Math.max(p.getDouble(i - from, y[i]), 1e-12));
            }
        }
        return out;
    }

    /** Builds a {@link TrustedLabelCheck}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final TrainingRoutine routine;
        private final LabeledData trusted;
        private int folds = 2;
        private double falsePositiveRate = 0.01;
        private double anomalyThreshold = 3;
        private double targetPrecision = 0.8;
        private boolean crossFit;
        private long seed;

        private Builder(TrainingRoutine routine, LabeledData trusted) {
            this.routine = Check.notNull("routine", routine);
            this.trusted = Check.notNull("trusted", trusted);
        }

        /** Models trained on the trusted set, each without one fold (default 2). */
        public Builder folds(int folds) {
            this.folds = folds;
            return this;
        }

        /** The trusted share above the cut that judges a class (default 0.01). */
        public Builder falsePositiveRate(double rate) {
            this.falsePositiveRate = rate;
            return this;
        }

        /** Standard errors of excess over the trusted share that make a class poisoned (default 3). */
        public Builder anomalyThreshold(double t) {
            this.anomalyThreshold = t;
            return this;
        }

        /** The estimated precision a poisoned class's cut keeps (default 0.8). */
        public Builder targetPrecision(double p) {
            this.targetPrecision = p;
            return this;
        }

        /**
         * Also train each model on the data's other folds and score each example by the model that
         * did not see it (default false): stronger models for wrong labels nothing else in the data
         * explains; a trigger in the other folds teaches them its label (see the class comment).
         */
        public Builder crossFit(boolean crossFit) {
            this.crossFit = crossFit;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid value, or the trusted set's
         *     smallest class if it has fewer than {@link #MIN_TRUSTED_PER_CLASS} examples
         */
        public TrustedLabelCheck build() {
            Config config = new Config(folds, falsePositiveRate, anomalyThreshold, targetPrecision, trusted.size(),
                    crossFit, seed);
            int[][] byClass = Pca.byClass(trusted.labels(), trusted.numClasses());
            for (int c = 0; c < byClass.length; c++) {
                if (byClass[c].length < MIN_TRUSTED_PER_CLASS) {
                    throw new IllegalArgumentException("trusted (" + trusted.name() + ") has " + byClass[c].length
                            + " examples of class " + c + ", the check needs at least " + MIN_TRUSTED_PER_CLASS
                            + " of every class");
                }
            }
            return new TrustedLabelCheck(routine, trusted, config);
        }
    }
}
