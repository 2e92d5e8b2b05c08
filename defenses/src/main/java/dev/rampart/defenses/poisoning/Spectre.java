package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.Inputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SPECTRE (Hayase, Kong, Somani &amp; Oh, "SPECTRE: defending against backdoor attacks using
 * robust statistics", ICML 2021): within each class, the representations are reduced to their
 * {@code dimensions} leading principal directions, whitened by a <em>robust</em> estimate of their
 * mean and covariance (one that the poison cannot move), and scored by the quantum entropy (QUE)
 * score {@code tau_i = z_i' Q z_i / tr Q}, {@code Q = exp(alpha (S - I) / (||S|| - 1))}, with
 * {@code S} the whitened second moment. After robust whitening the clean examples look isotropic
 * and the poison, which the estimate left out, stands out along the directions {@code Q} weighs
 * most; this is why SPECTRE finds poison at rates where spectral signatures cannot.
 *
 * <p>Where Rampart departs from the paper, and why: the robust estimate here is the minimum
 * covariance determinant's concentration steps (Rousseeuw &amp; Van Driessen 1999) on the
 * {@code 1 - trim} share of the class nearest its coordinate-wise median, in place of the paper's
 * filter (simpler, and robust up to half the class); the paper assumes the poison rate known and
 * removes 1.5 times it from the class it names, while this detector needs no rate: a class is
 * judged poisoned when its QUE score {@code tr(QS) / tr Q} is an outlier among the classes (a robust
 * z-score of its logarithm, median and median absolute deviation, above {@code anomalyThreshold},
 * as Neural Cleanse judges classes), and within it the examples above the best two-group split of
 * the log scores (Otsu 1979) are flagged. Every class is judged against the others, so a single
 * attacked class stands out; an all-to-all attack, which poisons every class alike, does not, nor
 * does a small poison share in a class that clean classes' spread hides.
 *
 * <p>With a {@linkplain Builder#reference(LabeledData) reference} of trusted clean examples, each
 * class is judged on its own instead: its trusted examples are scored in the class's frame, the cut
 * is their {@code 1 - falsePositiveRate} quantile, and the class is poisoned when the share of its
 * training examples above the cut exceeds the trusted share by more than {@code anomalyThreshold}
 * standard errors (a two-proportion test); the examples above the cut are flagged. Poison is what
 * the trusted data does not explain, whatever the other classes look like.
 *
 * <pre>{@code
 * PoisonReport r = Spectre.builder(model).build().detect(train);
 * r.classes();   // per class: QUE score, anomaly index, the split's threshold
 * PoisonReport judged = Spectre.builder(model).reference(trustedSample).build().detect(train);
 * }</pre>
 */
public final class Spectre extends RepresentationDetector implements ReferenceDetector {

    /**
     * SPECTRE's configuration.
     *
     * @param layer the representation layer
     * @param dimensions principal directions kept per class
     * @param trim the share of a class the robust estimate may leave out, in (0, 0.5]
     * @param alpha the QUE score's exponent (the paper uses 4)
     * @param anomalyThreshold a class whose log QUE score lies more than this many robust standard
     *     deviations above the classes' median is judged poisoned; with a reference, a class whose
     *     share above the reference's cut exceeds the reference's own share by more than this many
     *     standard errors
     * @param falsePositiveRate with a reference: the share of a class's trusted examples above the
     *     cut that flags examples (the cut is their {@code 1 - falsePositiveRate} quantile)
     * @param referenceExamples the trusted examples the classes are judged against; 0 when classes
     *     are judged against each other
     */
    public record Config(String layer, int dimensions, double trim, double alpha, double anomalyThreshold,
            double falsePositiveRate, int referenceExamples) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("layer", layer);
            Check.positive("dimensions", dimensions);
            if (!(trim > 0 && trim <= 0.5)) {
                throw new IllegalArgumentException("trim must be in (0, 0.5], found " + trim);
            }
            Check.positive("alpha", alpha);
            Check.positive("anomalyThreshold", anomalyThreshold);
            if (!(falsePositiveRate > 0 && falsePositiveRate < 0.5)) {
                throw new IllegalArgumentException("falsePositiveRate must be in (0, 0.5), found " + falsePositiveRate);
            }
            if (referenceExamples < 0) {
                throw new IllegalArgumentException("referenceExamples must be at least 0, found " + referenceExamples);
            }
        }
    }

    /** Trusted examples of each class a reference needs at least. */
    public static final int MIN_REFERENCE_PER_CLASS = 20;

    private static final int CONCENTRATION_STEPS = 30;

    private final Config config;
    private final LabeledData reference;
    private final INDArray referenceFeatures;

    private Spectre(ActivationModel model, Config config, LabeledData reference, INDArray referenceFeatures) {
        super(model, config.layer());
        this.config = config;
        this.reference = reference;
        this.referenceFeatures = referenceFeatures;
    }

    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "SPECTRE";
    }

    @Override
    public Config config() {
        return config;
    }

    /** Enough examples for a covariance of the kept dimensions: four times them, and at least 20. */
    @Override
    public int minimumPerClass() {
        return Math.max(20, 4 * config.dimensions());
    }

    /**
     * One class's fitted scorer: its principal directions, the robust mean and whitening, and the
     * QUE weights; {@code tau} and {@code que} are the class's own scores.
     */
    private record ClassScores(INDArray centre, INDArray components, double[] mean, double[][] whiten, double[][] v,
            double[] q, double trace, double[] tau, double que) {

        /** The QUE scores of other rows {@code x} ({@code [n, d]}) in this class's frame. */
        double[] score(INDArray x) {
            double[][] z = x.subRowVector(centre).mmul(components).toDoubleMatrix();
            double[] out = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                out[i] = Spectre.tau(apply(whiten, z[i], mean), v, q, trace);
            }
            return out;
        }
    }

    @Override
    protected PoisonReport analyse(LabeledData data, INDArray r) {
        if (reference != null) {
            return judge(scores(data, r));
        }
        int[][] byClass = Pca.byClass(data.labels(), data.numClasses());
        ClassScores[] per = fit(r, byClass);
        double[] anomaly = anomalies(per);
        double[] scores = new double[data.size()];
        boolean[] flagged = new boolean[data.size()];
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
        for (int c = 0; c < byClass.length; c++) {
            int[] idx = byClass[c];
            if (per[c] == null) {
                summary.add(new PoisonReport.ClassSummary(c, idx.length, 0, PoisonReport.Verdict.NOT_JUDGED, Map.of()));
                continue;
            }
            double[] tau = per[c].tau();
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("queScore", per[c].que());
            figures.put("anomalyIndex", anomaly[c]);
            double cut = otsu(tau);
            boolean poisoned = anomaly[c] > config.anomalyThreshold();
            int count = 0;
            for (int j = 0; j < idx.length; j++) {
                scores[idx[j]] = tau[j];
                if (poisoned && tau[j] > cut) {
                    flagged[idx[j]] = true;
                    count++;
                }
            }
            figures.put("splitThreshold", cut);
            figures.put("aboveSplit", (double) Arrays.stream(tau).filter(t -> t > cut).count() / idx.length);
            summary.add(new PoisonReport.ClassSummary(c, idx.length, count, poisoned ? PoisonReport.Verdict.SUSPICIOUS
                    : PoisonReport.Verdict.CLEAN, figures));
        }
        return PoisonReport.of(this, flagged, scores, summary);
    }

    /**
     * With a reference: each class's QUE scores of its training examples and, in the class's frame,
     * of its trusted examples (which the robust fit never sees).
     *
     * @throws IllegalStateException if the detector was built without a reference
     * @throws IllegalArgumentException if the data does not fit the model
     */
    @Override
    public ReferenceScores referenceScores(LabeledData data) {
        requireReference();
        return scores(data, checked(data, Representations.of(model, layer, Inputs.checkData(model, data, "data"))));
    }

    /**
     * {@link #referenceScores(LabeledData)} with {@link #layer()}'s activations already computed.
     *
     * @throws IllegalArgumentException if the rows do not match the data
     */
    public ReferenceScores referenceScores(LabeledData data, INDArray representations) {
        requireReference();
        return scores(data, checked(data, representations));
    }

    /** With a reference: the judgement on {@code scores}, the examples above the trusted cut. */
    @Override
    public PoisonReport judge(ReferenceScores scores) {
        requireReference();
        return ReferenceCut.report(this, scores, config.falsePositiveRate(), config.anomalyThreshold(), 1, false);
    }

    @Override
    public int referenceSize() {
        return reference == null ? 0 : reference.size();
    }

    private void requireReference() {
        if (reference == null) {
            throw new IllegalStateException("SPECTRE was built without a reference: it judges classes against each"
                    + " other, and has no trusted scores");
        }
    }

    /** The scores of checked representations {@code r} and of the reference, per class. */
    private ReferenceScores scores(LabeledData data, INDArray r) {
        int[][] byClass = Pca.byClass(data.labels(), data.numClasses());
        ClassScores[] per = fit(r, byClass);
        double[] anomaly = anomalies(per);
        INDArray ref = Representations.of(model, layer, referenceFeatures).castTo(r.dataType());
        int[][] refByClass = Pca.byClass(reference.labels(), reference.numClasses());
        List<ReferenceScores.ClassScores> classes = new ArrayList<>();
        for (int c = 0; c < byClass.length; c++) {
            if (per[c] == null) {
                classes.add(ReferenceScores.ClassScores.notJudged(c, byClass[c]));
                continue;
            }
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("queScore", per[c].que());
            figures.put("anomalyIndex", anomaly[c]);
            classes.add(new ReferenceScores.ClassScores(c, byClass[c], per[c].tau(), refByClass[c],
                    per[c].score(Rows.gather(ref, refByClass[c])), figures));
        }
        return new ReferenceScores(name(), "Que", data.size(), classes);
    }

    /** Each class's fitted scorer, null for a class too small to fit. */
    private ClassScores[] fit(INDArray r, int[][] byClass) {
        ClassScores[] per = new ClassScores[byClass.length];
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length >= minimumPerClass()) {
                per[c] = score(Rows.gather(r, byClass[c]), c);
            }
        }
        return per;
    }

    /**
     * Each fitted class's robust z-score of its log QUE score among the classes (median and median
     * absolute deviation; 0 with fewer than three classes or no spread).
     */
    private static double[] anomalies(ClassScores[] per) {
        double[] lq = Arrays.stream(per).filter(p -> p != null).mapToDouble(p -> Math.log(p.que())).toArray();
        double median = median(lq);
        double[] dev = Arrays.stream(lq).map(v -> Math.abs(v - median)).toArray();
        double mad = 1.4826 * median(dev);
        double[] out = new double[per.length];
        for (int c = 0; c < per.length; c++) {
            out[c] = per[c] == null || lq.length < 3 || mad == 0 ? 0 : (Math.log(per[c].que()) - median) / mad;
        }
        return out;
    }

    /** One whitened row's QUE score. */
    private static double tau(double[] w, double[][] v, double[] q, double trace) {
        int k = w.length;
        double s = 0;
        for (int a = 0; a < k; a++) {
            double p = 0;
            for (int b = 0; b < k; b++) {
                p += v[b][a] * w[b];
            }
            s += q[a] * p * p;
        }
        return s / trace;
    }

    /** The QUE scores of one class's representations {@code x} ({@code [m, d]}), and its scorer. */
    private ClassScores score(INDArray x, int c) {
        INDArray centre = x.mean(0);
        INDArray centred = x.subRowVector(centre);
        INDArray components = Pca.components(centred, config.dimensions(), "class " + c);
        double[][] z = centred.mmul(components).toDoubleMatrix();
        int m = z.length;
        int k = z[0].length;
        int h = (int) Math.ceil((1 - config.trim()) * m);
        // start from the h examples nearest the coordinate-wise median, then concentrate
        double[] med = new double[k];
        for (int j = 0; j < k; j++) {
            double[] col = new double[m];
            for (int i = 0; i < m; i++) {
                col[i] = z[i][j];
            }
            med[j] = median(col);
        }
        double[] dist = new double[m];
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += (z[i][j] - med[j]) * (z[i][j] - med[j]);
            }
            dist[i] = s;
        }
        int[] core = nearest(dist, h);
        double[] mean = null;
        double[][] whiten = null;
        for (int step = 0; step < CONCENTRATION_STEPS; step++) {
            mean = mean(z, core, k);
            whiten = inverseSquareRoot(covariance(z, core, mean, k)).getData();
            for (int i = 0; i < m; i++) {
                dist[i] = squaredNorm(apply(whiten, z[i], mean));
            }
            int[] next = nearest(dist, h);
            if (Arrays.equals(next, core)) {
                break;
            }
            core = next;
        }
        double[][] w = new double[m][];
        double[][] second = new double[k][k];
        for (int i = 0; i < m; i++) {
            w[i] = apply(whiten, z[i], mean);
            for (int a = 0; a < k; a++) {
                for (int b = 0; b <= a; b++) {
                    second[a][b] += w[i][a] * w[i][b] / m;
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                second[b][a] = second[a][b];
            }
        }
        EigenDecomposition e = new EigenDecomposition(new Array2DRowRealMatrix(second, false));
        double[] lambda = e.getRealEigenvalues();
        double top = Arrays.stream(lambda).max().orElse(1);
        double[] q = new double[k];
        double trace = 0;
        for (int a = 0; a < k; a++) {
            // exp(alpha (lambda - 1) / (top - 1)), shifted by its largest exponent: the ratios are what count
            q[a] = top > 1 + 1e-9 ? Math.exp(config.alpha() * (lambda[a] - top) / (top - 1)) : 1;
            trace += q[a];
        }
        double[][] v = e.getV().getData();
        double[] tau = new double[m];
        double que = 0;
        for (int i = 0; i < m; i++) {
            tau[i] = tau(w[i], v, q, trace);
            que += tau[i] / m;
        }
        return new ClassScores(centre, components, mean, whiten, v, q, trace, tau, Math.max(que, 1e-12));
    }

    /** The indices of the {@code h} smallest values. */
    private static int[] nearest(double[] d, int h) {
        Integer[] order = new Integer[d.length];
        for (int i = 0; i < d.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(d[a], d[b]));
        int[] out = new int[h];
        for (int i = 0; i < h; i++) {
            out[i] = order[i];
        }
        Arrays.sort(out);
        return out;
    }

    private static double[] mean(double[][] z, int[] rows, int k) {
        double[] mu = new double[k];
        for (int i : rows) {
            for (int j = 0; j < k; j++) {
                mu[j] += z[i][j] / rows.length;
            }
        }
        return mu;
    }

    private static double[][] covariance(double[][] z, int[] rows, double[] mu, int k) {
        double[][] s = new double[k][k];
        for (int i : rows) {
            for (int a = 0; a < k; a++) {
                double da = z[i][a] - mu[a];
                for (int b = 0; b <= a; b++) {
                    s[a][b] += da * (z[i][b] - mu[b]) / rows.length;
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                s[b][a] = s[a][b];
            }
        }
        return s;
    }

    /** {@code S^(-1/2)} of a covariance, its small eigenvalues floored at 1e-6 of the largest (a ridge). */
    private static RealMatrix inverseSquareRoot(double[][] s) {
        EigenDecomposition e = new EigenDecomposition(new Array2DRowRealMatrix(s, false));
        double[] l = e.getRealEigenvalues();
        double max = Arrays.stream(l).max().orElse(0);
        RealMatrix v = e.getV();
        int k = l.length;
        double[][] out = new double[k][k];
        for (int a = 0; a < k; a++) {
            double inv = 1 / Math.sqrt(Math.max(l[a], 1e-6 * max + 1e-12));
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    out[i][j] += v.getEntry(i, a) * inv * v.getEntry(j, a);
                }
            }
        }
        return new Array2DRowRealMatrix(out, false);
    }

    private static double[] apply(double[][] w, double[] x, double[] mu) {
        int k = x.length;
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += w[i][j] * (x[j] - mu[j]);
            }
            out[i] = s;
        }
        return out;
    }

    private static double squaredNorm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return s;
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return 0;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * Otsu's threshold of the logarithms of {@code tau}: the split into a low and a high group
     * with the largest between-group variance, the high group at most half of the values. Returned
     * on the scale of {@code tau}.
     */
    static double otsu(double[] tau) {
        double[] s = Arrays.stream(tau).map(t -> Math.log(Math.max(t, 1e-300))).sorted().toArray();
        int n = s.length;
        double total = Arrays.stream(s).sum();
        double left = 0;
        double best = -1;
        int at = n - 1;
        for (int i = 0; i < n - 1; i++) {
            left += s[i];
            int nl = i + 1;
            int nr = n - nl;
            if (nr > n / 2 || s[i] == s[i + 1]) {
                continue;
            }
            double ml = left / nl;
            double mr = (total - left) / nr;
            double between = (double) nl * nr * (ml - mr) * (ml - mr);
            if (between > best) {
                best = between;
                at = i;
            }
        }
        return Math.exp(s[at]);
    }

    /** Builds a {@link Spectre}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final ActivationModel model;
        private String layer;
        private int dimensions = 32;
        private double trim = 0.5;
        private double alpha = 4;
        private double anomalyThreshold = 3;
        private double falsePositiveRate = 0.01;
        private LabeledData reference;

        private Builder(ActivationModel model) {
            this.model = Check.notNull("model", model);
        }

        /** The representation layer (default: the last hidden layer). */
        public Builder layer(String layer) {
            this.layer = layer;
            return this;
        }

        /** Principal directions kept per class (default 32). */
        public Builder dimensions(int k) {
            this.dimensions = k;
            return this;
        }

        /** The share of a class the robust estimate may leave out, in (0, 0.5] (default 0.5). */
        public Builder trim(double trim) {
            this.trim = trim;
            return this;
        }

        /** The QUE exponent (default 4, as Hayase et al.). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** A class more than this many robust standard deviations above the median is poisoned (default 3). */
        public Builder anomalyThreshold(double t) {
            this.anomalyThreshold = t;
            return this;
        }

        /**
         * Trusted clean examples (for example a held-out or audited sample): each class is then judged
         * against its own trusted examples, not against the other classes, which finds poison at small
         * rates and in every class at once (all-to-all). Needs {@link #MIN_REFERENCE_PER_CLASS} of
         * every class; a few hundred per class give the test its power. Not modified.
         */
        public Builder reference(LabeledData trusted) {
            this.reference = Check.notNull("reference", trusted);
            return this;
        }

        /** With a reference: the share of a class's trusted examples above the flagging cut (default 0.01). */
        public Builder falsePositiveRate(double rate) {
            this.falsePositiveRate = rate;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid value: a reference whose shape or
         *     classes differ from the model's, or with too few examples of a class
         */
        public Spectre build() {
            Config config = new Config(Representations.resolve(model, layer), dimensions, trim, alpha,
                    anomalyThreshold, falsePositiveRate, reference == null ? 0 : reference.size());
            INDArray features = null;
            if (reference != null) {
                // the shape, class count, values and type checked once, in the model's type
                features = Inputs.checkData(model, reference, "reference");
                int[][] byClass = Pca.byClass(reference.labels(), reference.numClasses());
                for (int c = 0; c < byClass.length; c++) {
                    if (byClass[c].length < MIN_REFERENCE_PER_CLASS) {
                        throw new IllegalArgumentException("the reference (" + reference.name() + ") has "
                                + byClass[c].length + " examples of class " + c + "; every class needs at least "
                                + MIN_REFERENCE_PER_CLASS);
                    }
                }
            }
            return new Spectre(model, config, reference, features);
        }
    }
}
