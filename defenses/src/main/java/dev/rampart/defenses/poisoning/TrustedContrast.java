package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.Inputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finds the training examples of a class that its trusted examples do not look like, in the input
 * itself. A backdoor's poison must carry its trigger, so every poisoned example of a class holds
 * something that the class's clean examples lack: SIG's sinusoid (clean-label, Barni et al. 2019),
 * label-consistent poison's adversarial noise and patch (Turner et al. 2019), a BadNets patch or a
 * blended pattern. This detector asks a classifier to tell the class's training examples from its
 * trusted ones (a classifier two-sample test, Lopez-Paz &amp; Oquab, "Revisiting Classifier
 * Two-Sample Tests", ICLR 2017): clean training examples are drawn like the trusted ones and stay
 * indistinguishable, while poison is told apart by its trigger. The classifier is an
 * L2-regularised logistic regression on the flattened input, each feature divided by its
 * within-group standard deviation plus {@code stdFloor} (a faint trigger on pixels that are nearly
 * constant in the class, such as SIG's sinusoid on the background, is otherwise a direction of so
 * little variance that the fit never reaches it), the two groups weighted equally; every example, trusted or not, is scored by the model of the {@code folds} that did not train on
 * it (its logit), so that no score comes from memorising. Each class is then judged against its
 * trusted scores as {@link TrustedLabelCheck} judges it (their {@code 1 - falsePositiveRate}
 * quantile, a two-proportion test at {@code anomalyThreshold} standard errors), and in a poisoned
 * class the cut is lowered while the estimated precision stays at least {@code targetPrecision}.
 *
 * <p>It complements the label check: clean-label poison keeps labels that fit its content, which
 * the label check passes by construction, but it cannot hide its trigger from a comparison with
 * the same class's trusted images. Its limits: a trigger that is not a consistent change of the
 * input (a warp, WaNet, moves pixels differently in every image) is only partly linear and may be
 * missed; and the trusted set must be drawn like the training set: a trusted set collected
 * differently (another camera, another preprocessing) differs everywhere, and every class is
 * judged poisoned. The idea of contrasting the training set with a small clean base set to expose
 * poison across attack families is also ASSET's (Pan, Zeng, Li, Jia &amp; Zhu, USENIX Security
 * 2023), which contrasts losses of a model trained on both instead.
 *
 * <p>With {@link Builder#representations(ActivationModel, String) representations}, the same test
 * runs on a layer's activations of the model trained on the data (its last hidden layer by
 * default) instead of the pixels: a trigger the model learned is, by then, a consistent direction
 * of its representation, wherever the trigger sits in the pixels. On WaNet at 1% of full
 * Fashion-MNIST (8-epoch reference CNN, 5,000 trusted images) it flags 90.8% of the poison at
 * precision 0.823 in 11 s with the activation pass, where the input contrast misses the warp, SPECTRE finds 71.7% and the
 * label check 60.0% (BENCHMARKS.md).
 *
 * <pre>{@code
 * PoisonReport r = TrustedContrast.builder(trustedSample).seed(1).build().detect(train);
 * r.classes();   // per class: the excess over the trusted scores, the estimated poison share, the cut
 * PoisonReport learned = TrustedContrast.builder(trustedSample).representations(poisonedModel, null)
 *         .seed(1).build().detect(train);
 * }</pre>
 */
public final class TrustedContrast implements ReferenceDetector {

    /**
     * The detector's configuration.
     *
     * @param folds each example is scored by the model trained without its fold (at least 2)
     * @param l2 the weight of the logistic regression's L2 penalty, on a loss that averages each
     *     group's log-loss
     * @param stdFloor each feature is divided by its standard deviation (the two groups' variances
     *     averaged) plus this floor; 0 leaves the features as they are
     * @param iterations accelerated gradient steps per model
     * @param falsePositiveRate the share of a class's trusted examples above the cut that judges it
     * @param anomalyThreshold a class is poisoned when its share above that cut exceeds the trusted
     *     share by more than this many standard errors
     * @param targetPrecision in a poisoned class, the cut is lowered while the estimated precision
     *     of the flags stays at least this, in (0, 1]
     * @param trustedExamples the size of the trusted set
     * @param seed the folds' shuffle
     * @param layer the model layer whose activations are contrasted, or null for the input itself
     */
    public record Config(int folds, double l2, double stdFloor, int iterations, double falsePositiveRate, double anomalyThreshold,
            double targetPrecision, int trustedExamples, long seed, String layer) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            if (folds < 2 || folds > MIN_TRUSTED_PER_CLASS) {
                throw new IllegalArgumentException("folds must be in [2, " + MIN_TRUSTED_PER_CLASS + "], found "
                        + folds);
            }
            if (!(l2 > 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("l2 must be positive and finite, found " + l2);
            }
            if (!(stdFloor >= 0) || Double.isInfinite(stdFloor)) {
                throw new IllegalArgumentException("stdFloor must be non-negative and finite, found " + stdFloor);
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("iterations must be in [1, " + MAX_ITERATIONS + "], found "
                        + iterations);
            }
            ReferenceCut.checkSettings(falsePositiveRate, anomalyThreshold, targetPrecision);
            if (trustedExamples < 1) {
                throw new IllegalArgumentException("trustedExamples must be at least 1, found " + trustedExamples);
            }
        }
    }

    /** Gradient steps per model at most: far past convergence, and a bound on the scan's time. */
    public static final int MAX_ITERATIONS = 100_000;

    /** Trusted examples of every class the detector needs at least. */
    public static final int MIN_TRUSTED_PER_CLASS = 20;

    private static final int POWER_STEPS = 30;

    private final LabeledData trusted;
    private final Config config;
    /** The model whose representations are contrasted, or null for the input. */
    private final ActivationModel model;
    /** The trusted examples' features: their inputs, or their representations. */
    private final INDArray trustedFeatures;

    private TrustedContrast(LabeledData trusted, Config config, ActivationModel model, INDArray trustedFeatures) {
        this.trusted = trusted;
        this.config = config;
        this.model = model;
        this.trustedFeatures = trustedFeatures;
    }

    public static Builder builder(LabeledData trusted) {
        return new Builder(trusted);
    }

    @Override
    public String name() {
        return model == null ? "trusted contrast" : "representation contrast";
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
     */
    @Override
    public ReferenceScores referenceScores(LabeledData data) {
        Check.notNull("data", data);
        if (model != null) {
            return referenceScores(data, Representations.of(model, config.layer(), Inputs.checkData(model, data,
                    "data")));
        }
        if (!Arrays.equals(data.exampleShape(), trusted.exampleShape()) || data.numClasses() != trusted.numClasses()) {
            throw new IllegalArgumentException("data (" + data.name() + ") has examples of shape "
                    + Arrays.toString(data.exampleShape()) + " in " + data.numClasses() + " classes, the trusted set "
                    + Arrays.toString(trusted.exampleShape()) + " in " + trusted.numClasses());
        }
        return scores(data, data.features());
    }

    /**
     * {@link #referenceScores(LabeledData)} of a detector built with
     * {@link Builder#representations(ActivationModel, String) representations}, with the data's
     * activations of its layer already computed (the activation pass is most of the cost, and other
     * detectors of the same layer can share it).
     *
     * @param representations {@code [n, d]}, row {@code i} the activations of example {@code i}
     * @throws IllegalStateException if the detector contrasts the input itself
     * @throws IllegalArgumentException if the rows do not match the data or the trusted
     *     representations, or the data's class count differs from the trusted set's
     */
    public ReferenceScores referenceScores(LabeledData data, INDArray representations) {
        Check.notNull("data", data);
        if (model == null) {
            throw new IllegalStateException("this trusted contrast was built on the input, not on representations");
        }
        if (data.numClasses() != trusted.numClasses()) {
            throw new IllegalArgumentException("data (" + data.name() + ") has " + data.numClasses()
                    + " classes, the trusted set " + trusted.numClasses());
        }
        if (representations == null || representations.rank() != 2 || representations.size(0) != data.size()
                || representations.size(1) != trustedFeatures.size(1)) {
            throw new IllegalArgumentException("representations must be [" + data.size() + ", "
                    + trustedFeatures.size(1) + "] (one row per example of the data, as wide as layer "
                    + config.layer() + "), found " + (representations == null ? "null"
                            : Arrays.toString(representations.shape())));
        }
        Check.finite(representations, "representations");
        return scores(data, representations);
    }

    /** The out-of-fold contrast of {@code features} (the data's, row by row) with the trusted features. */
    private ReferenceScores scores(LabeledData data, INDArray features) {
        int[][] byClass = Pca.byClass(data.labels(), data.numClasses());
        int[][] refByClass = Pca.byClass(trusted.labels(), trusted.numClasses());
        int d = (int) (features.length() / Math.max(1, data.size()));
        double[][][] in = new double[byClass.length][][];
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length >= minimumPerClass()) {
                in[c] = new double[][] {flat(features, byClass[c]), flat(trustedFeatures, refByClass[c])};
            }
        }
        // the classes are independent problems in plain Java: one per core
        double[][][] out = new double[byClass.length][][];
        IntStream.range(0, byClass.length).parallel().filter(c -> in[c] != null)
                .forEach(c -> out[c] = contrast(in[c][0], in[c][1], d, config.seed() + c));
        List<ReferenceScores.ClassScores> classes = new ArrayList<>();
        for (int c = 0; c < byClass.length; c++) {
            classes.add(out[c] == null ? ReferenceScores.ClassScores.notJudged(c, byClass[c])
                    : new ReferenceScores.ClassScores(c, byClass[c], out[c][0], refByClass[c], out[c][1], Map.of()));
        }
        return new ReferenceScores(name(), "Contrast", data.size(), classes);
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

    /** The rows {@code idx} of {@code x}, flattened row by row into one array of doubles. */
    private static double[] flat(INDArray x, int[] idx) {
        INDArray g = Rows.gather(x, idx).castTo(DataType.DOUBLE).dup('c');
        return g.reshape(g.length()).toDoubleVector();
    }

    /**
     * Out-of-fold logits of "training, not trusted" for the class's training rows {@code a} and
     * trusted rows {@code b} (each {@code [rows][d]} flattened): {@code {scores of a, scores of b}}.
     * The {@code folds} models are fitted together, each giving the rows of its own fold weight 0,
     * so that one pass over the rows per step serves them all.
     */
    private double[][] contrast(double[] a, double[] b, int d, long seed) {
        int k = config.folds();
        int p = a.length / d;
        int q = b.length / d;
        int n = p + q;
        int[] fold = new int[n];
        System.arraycopy(TrustedLabelCheck.folds(new int[p], 1, k, seed), 0, fold, 0, p);
        System.arraycopy(TrustedLabelCheck.folds(new int[q], 1, k, seed + 7919), 0, fold, p, q);
        double[] x = new double[n * d];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length, b.length);
        // row weights per model: each group's mean log-loss weighted one half, the model's fold left out
        double[][] w = new double[k][n];
        for (int f = 0; f < k; f++) {
            int pf = 0;
            int qf = 0;
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    if (i < p) {
                        pf++;
                    } else {
                        qf++;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                w[f][i] = fold[i] == f ? 0 : 0.5 / (i < p ? pf : qf);
            }
        }
        Design design = Design.of(x, d, w, p, config.stdFloor());
        double[][] logits = design.fit(w, p, config.l2(), config.iterations());
        double[] sa = new double[p];
        double[] sb = new double[q];
        for (int i = 0; i < n; i++) {
            double v = logits[fold[i]][i];
            if (i < p) {
                sa[i] = v;
            } else {
                sb[i - p] = v;
            }
        }
        return new double[][] {sa, sb};
    }

    /**
     * The fold models' inputs: rows {@code x} ({@code n} of {@code d}, row-major), and per model
     * {@code f} the centre {@code c[f]} and scale {@code s[f]} of its training rows; model {@code f}
     * sees row {@code x_i} as {@code z = s[f] * (x_i - c[f])}. Plain loops: a class's problem is a
     * few hundred to a few thousand rows, where ND4J's cost per operation outweighs the arithmetic.
     */
    private record Design(double[] x, int d, double[][] c, double[][] s) {

        int rows() {
            return x.length / d;
        }

        /**
         * @param w row weights per model, the first {@code p} rows one group and the rest the other,
         *     each group's weights summing to one half
         */
        static Design of(double[] x, int d, double[][] w, int p, double floor) {
            int k = w.length;
            int n = x.length / d;
            double[][] c = new double[k][];
            double[][] s = new double[k][d];
            for (int f = 0; f < k; f++) {
                c[f] = weightedSum(x, d, w[f], 0, n, 1);
                if (floor == 0) {
                    Arrays.fill(s[f], 1);
                    continue;
                }
                // each group's variance per feature (weights doubled to the group's mean), averaged
                double[] var = new double[d];
                for (int[] g : new int[][] {{0, p}, {p, n}}) {
                    double[] mean = weightedSum(x, d, w[f], g[0], g[1], 2);
                    double[] square = new double[d];
                    for (int i = g[0]; i < g[1]; i++) {
                        double wi = 2 * w[f][i];
                        if (wi != 0) {
                            for (int j = 0, o = i * d; j < d; j++, o++) {
                                square[j] += wi * x[o] * x[o];
                            }
                        }
                    }
                    for (int j = 0; j < d; j++) {
                        var[j] += 0.5 * Math.max(0, square[j] - mean[j] * mean[j]);
                    }
                }
                for (int j = 0; j < d; j++) {
                    s[f][j] = 1 / (Math.sqrt(var[j]) + floor);
                }
            }
            return new Design(x, d, c, s);
        }

        /** {@code scale * sum_i w[i] x_i} over rows {@code from} to {@code to}. */
        private static double[] weightedSum(double[] x, int d, double[] w, int from, int to, double scale) {
            double[] out = new double[d];
            for (int i = from; i < to; i++) {
                double wi = scale * w[i];
                if (wi != 0) {
                    for (int j = 0, o = i * d; j < d; j++, o++) {
                        out[j] += wi * x[o];
                    }
                }
            }
            return out;
        }

        /**
         * The weights {@code v} as they apply to the raw rows: {@code weights[f] = s[f] * v[f]}, and
         * each model's centring term {@code offset[f] = c[f] . weights[f]}.
         */
        private record Scaled(double[][] weights, double[] offset) {
        }

        private Scaled scaled(double[][] v) {
            double[][] sv = new double[v.length][d];
            double[] offset = new double[v.length];
            for (int f = 0; f < v.length; f++) {
                for (int j = 0; j < d; j++) {
                    sv[f][j] = s[f][j] * v[f][j];
                    offset[f] += c[f][j] * sv[f][j];
                }
            }
            return new Scaled(sv, offset);
        }

        /** Every row's {@code z . v[f]} under every model {@code f}: {@code [k][n]}. */
        double[][] forward(double[][] v) {
            int k = v.length;
            int n = rows();
            Scaled sc = scaled(v);
            double[][] out = new double[k][n];
            for (int i = 0; i < n; i++) {
                int o = i * d;
                for (int f = 0; f < k; f++) {
                    out[f][i] = dot(x, o, sc.weights()[f], d) - sc.offset()[f];
                }
            }
            return out;
        }

        /**
         * Weighted log-loss gradients per model: {@code weights} {@code [k][d]}, {@code bias} {@code [k]}.
         */
        private record Gradient(double[][] weights, double[] bias) {
        }

        /**
         * The gradients at weights {@code v} and biases {@code b}, in one pass over the rows: each
         * row's logit and its share of the gradient are taken together, rather than all logits
         * ({@link #forward}) then all shares ({@link #backward}), with the same arithmetic in the
         * same order.
         */
        Gradient gradient(double[][] v, double[] b, double[][] w, int p) {
            int k = v.length;
            int n = rows();
            Scaled sc = scaled(v);
            double[][] g = new double[k][d];
            double[] gb = new double[k];
            for (int i = 0; i < n; i++) {
                int o = i * d;
                for (int f = 0; f < k; f++) {
                    double logit = dot(x, o, sc.weights()[f], d) - sc.offset()[f];
                    double ri = w[f][i] * (1 / (1 + Math.exp(-(logit + b[f]))) - (i < p ? 1 : 0));
                    gb[f] += ri;
                    if (ri != 0) {
                        double[] gf = g[f];
                        for (int j = 0; j < d; j++) {
                            gf[j] += ri * x[o + j];
                        }
                    }
                }
            }
            centre(g, gb);
            return new Gradient(g, gb);
        }

        /** {@code g[f] = s[f] * (g[f] - c[f] * totals[f])}: sums over the raw rows made sums over the model's rows. */
        private void centre(double[][] g, double[] totals) {
            for (int f = 0; f < g.length; f++) {
                for (int j = 0; j < d; j++) {
                    g[f][j] = s[f][j] * (g[f][j] - c[f][j] * totals[f]);
                }
            }
        }

        /** Per model {@code f}, {@code sum_i r[f][i] z_i}: {@code [k][d]}. */
        double[][] backward(double[][] r) {
            int k = r.length;
            int n = rows();
            double[][] g = new double[k][d];
            for (int i = 0; i < n; i++) {
                int o = i * d;
                for (int f = 0; f < k; f++) {
                    double ri = r[f][i];
                    if (ri != 0) {
                        double[] gf = g[f];
                        for (int j = 0; j < d; j++) {
                            gf[j] += ri * x[o + j];
                        }
                    }
                }
            }
            double[] totals = new double[k];
            for (int f = 0; f < k; f++) {
                for (int i = 0; i < n; i++) {
                    totals[f] += r[f][i];
                }
            }
            centre(g, totals);
            return g;
        }

        private static double dot(double[] x, int o, double[] v, int d) {
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int j = 0;
            for (; j + 3 < d; j += 4) {
                s0 += x[o + j] * v[j];
                s1 += x[o + j + 1] * v[j + 1];
                s2 += x[o + j + 2] * v[j + 2];
                s3 += x[o + j + 3] * v[j + 3];
            }
            for (; j < d; j++) {
                s0 += x[o + j] * v[j];
            }
            return (s0 + s1) + (s2 + s3);
        }

        /**
         * Logistic regressions of "one of the first {@code p} rows" against the rest, one per model
         * (row weights {@code w[f]}), each minimising its weighted log-loss plus
         * {@code l2 / 2 |w|^2}, by Nesterov's accelerated gradient with the step {@code 1 / L} of
         * each loss's Lipschitz constant (power iteration on its weighted second moment); the logits
         * of every row under every model, {@code [k][n]}.
         */
        double[][] fit(double[][] w, int p, double l2, int iterations) {
            int k = w.length;
            int n = rows();
            double[][] u = new double[k][d];
            for (double[] uf : u) {
                Arrays.fill(uf, 1 / Math.sqrt(d));
            }
            double[] lambda = new double[k];
            for (int t = 0; t < POWER_STEPS; t++) {
                double[][] z = forward(u);
                for (int f = 0; f < k; f++) {
                    for (int i = 0; i < n; i++) {
                        z[f][i] *= w[f][i];
                    }
                }
                double[][] m = backward(z);
                for (int f = 0; f < k; f++) {
                    double norm = Math.sqrt(dot(m[f], 0, m[f], d));
                    lambda[f] = norm;
                    for (int j = 0; j < d; j++) {
                        u[f][j] = norm > 0 ? m[f][j] / norm : 0;
                    }
                }
            }
            double[] step = new double[k];
            for (int f = 0; f < k; f++) {
                step[f] = 1 / (0.25 * Math.max(1.05 * lambda[f], 1) + l2);
            }
            double[][] v = new double[k][d];
            double[][] prev = new double[k][d];
            double[] bias = new double[k];
            double[] prevBias = new double[k];
            double[][] y = new double[k][d];
            double[] yb = new double[k];
            for (int t = 1; t <= iterations; t++) {
                double mom = (t - 1.0) / (t + 2.0);
                for (int f = 0; f < k; f++) {
                    for (int j = 0; j < d; j++) {
                        y[f][j] = v[f][j] + mom * (v[f][j] - prev[f][j]);
                    }
                    yb[f] = bias[f] + mom * (bias[f] - prevBias[f]);
                }
                Gradient grad = gradient(y, yb, w, p);
                double[][] g = grad.weights();
                for (int f = 0; f < k; f++) {
                    prevBias[f] = bias[f];
                    bias[f] = yb[f] - step[f] * grad.bias()[f];
                }
                double[][] swap = prev;
                prev = v;
                v = swap;
                for (int f = 0; f < k; f++) {
                    for (int j = 0; j < d; j++) {
                        v[f][j] = y[f][j] - step[f] * (g[f][j] + l2 * y[f][j]);
                    }
                }
            }
            double[][] out = forward(v);
            for (int f = 0; f < k; f++) {
                for (int i = 0; i < n; i++) {
                    out[f][i] += bias[f];
                }
            }
            return out;
        }
    }

    /** Builds a {@link TrustedContrast}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final LabeledData trusted;
        private int folds = 5;
        private double l2 = 0.1;
        private Double stdFloor;
        private ActivationModel model;
        private String layer;
        private int iterations = 200;
        private double falsePositiveRate = 0.01;
        private double anomalyThreshold = 3;
        private double targetPrecision = 0.8;
        private long seed;

        private Builder(LabeledData trusted) {
            this.trusted = Check.notNull("trusted", trusted);
        }

        /** Each example is scored by the model trained without its fold (default 5). */
        public Builder folds(int folds) {
            this.folds = folds;
            return this;
        }

        /** The L2 penalty of the logistic regression (default 0.1). */
        public Builder l2(double l2) {
            this.l2 = l2;
            return this;
        }

        /**
         * The floor added to each feature's standard deviation before dividing by it (default 0.02 on
         * the input, 0 on representations).
         */
        public Builder stdFloor(double floor) {
            this.stdFloor = floor;
            return this;
        }

        /** Accelerated gradient steps per model (default 200). */
        public Builder iterations(int iterations) {
            this.iterations = iterations;
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

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Contrasts {@code model}'s activations of {@code layer} (null: its last hidden layer) instead of
         * the input: the model trained on the data sees its trigger, and the poison's activations differ
         * from the trusted examples' where the input's pixels differ too little or too unevenly (a warp).
         */
        public Builder representations(ActivationModel model, String layer) {
            this.model = Check.notNull("model", model);
            this.layer = layer;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid value, or the trusted set's
         *     smallest class if it has fewer than {@link #MIN_TRUSTED_PER_CLASS} examples
         */
        public TrustedContrast build() {
            String resolved = model == null ? null : layer == null ? Representations.lastHidden(model) : layer;
            Config config = new Config(folds, l2, stdFloor != null ? stdFloor : model == null ? 0.02 : 0, iterations,
                    falsePositiveRate, anomalyThreshold, targetPrecision, trusted.size(), seed, resolved);
            int[][] byClass = Pca.byClass(trusted.labels(), trusted.numClasses());
            for (int c = 0; c < byClass.length; c++) {
                if (byClass[c].length < MIN_TRUSTED_PER_CLASS) {
                    throw new IllegalArgumentException("trusted (" + trusted.name() + ") has " + byClass[c].length
                            + " examples of class " + c + ", the detector needs at least " + MIN_TRUSTED_PER_CLASS
                            + " of every class");
                }
            }
            INDArray features = trusted.features();
            if (model != null) {
                features = Representations.of(model, resolved, Inputs.checkData(model, trusted, "trusted"));
            }
            return new TrustedContrast(trusted, config, model, features);
        }
    }
}
