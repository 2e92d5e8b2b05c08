package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Activation clustering (Chen, Carvalho, Baracaldo, Ludwig, Edwards, Lee, Molloy &amp; Srivastava,
 * "Detecting backdoor attacks on deep neural networks by activation clustering", SafeAI 2019):
 * within each class, the last hidden layer's activations are reduced to a few dimensions (here by
 * PCA; the paper uses ICA) and split by 2-means (Commons Math, k-means++ seeding). A backdoored
 * class splits into its clean examples and the poisoned ones, which the network recognizes by the
 * trigger. Two ways to judge a class, both from the paper:
 * <ul>
 *   <li>relative size and silhouette (default): poisoned when the smaller cluster holds at most
 *       {@code sizeThreshold} of the class and the split is clear (silhouette score at least
 *       {@code silhouetteThreshold}). Cheap, but clean classes with two modes can pass it: the
 *       default 0.40 was set on the reference CNN and Fashion-MNIST, where clean classes split with
 *       silhouettes of 0.22-0.42 and a backdoored class's poison cluster at 0.45; set it for your
 *       model;</li>
 *   <li>exclusionary reclassification ({@link Builder#reclassify}): for each class whose smaller
 *       cluster passes the size test, a model is retrained by the user's routine without that
 *       cluster and classifies it; a cluster that mostly gets another label (triggered images of
 *       other classes) is poisoned, one that keeps its label is a legitimate mode. One retraining
 *       per candidate class.</li>
 * </ul>
 * The smaller cluster of a class judged poisoned is flagged.
 *
 * <pre>{@code
 * PoisonReport r = ActivationClustering.builder(model).dimensions(10).build().detect(train);
 * r.classes();   // per class: cluster sizes, silhouette, verdict
 * }</pre>
 */
public final class ActivationClustering implements PoisonDetector {

    private static final int SILHOUETTE_SAMPLE = 1500;

    private final ActivationModel model;
    private final String layer;
    private final int dimensions;
    private final double sizeThreshold;
    private final double silhouetteThreshold;
    private final long seed;
    private final dev.rampart.core.model.TrainingRoutine routine;
    private final double reclassifyThreshold;

    private ActivationClustering(Builder b, String layer) {
        this.routine = b.routine;
        this.reclassifyThreshold = b.reclassifyThreshold;
        this.model = b.model;
        this.layer = layer;
        this.dimensions = b.dimensions;
        this.sizeThreshold = b.sizeThreshold;
        this.silhouetteThreshold = b.silhouetteThreshold;
        this.seed = b.seed;
    }

    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    @Override
    public PoisonReport detect(LabeledData data) {
        INDArray r = Representations.of(model, layer, data.features());
        int[] labels = data.labels();
        int[][] byClass = Pca.byClass(labels, data.numClasses());
        double[] scores = new double[labels.length];
        boolean[] flagged = new boolean[labels.length];
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
            double[] shares = new double[byClass.length];
        double[] silhouettes = new double[byClass.length];
        int[][] smallOf = new int[byClass.length][];
        for (int c = 0; c < byClass.length; c++) {
            int[] idx = byClass[c];
            if (idx.length < 4) {
                smallOf[c] = new int[0];
                continue;
            }
            INDArray centred = Pca.centred(Rows.gather(r, idx));
            double[][] z = centred.mmul(Pca.components(centred, dimensions)).toDoubleMatrix();
            List<DoublePoint> points = new ArrayList<>(z.length);
            for (double[] p : z) {
                points.add(new DoublePoint(p));
            }
            JDKRandomGenerator rng = new JDKRandomGenerator();
            rng.setSeed(Seeds.derive(seed, c));
            List<CentroidCluster<DoublePoint>> clusters = new KMeansPlusPlusClusterer<DoublePoint>(2, 300,
                    new EuclideanDistance(), rng).cluster(points);
            int[] assignment = assign(z, clusters);
            int small = count(assignment, 0) <= count(assignment, 1) ? 0 : 1;
            shares[c] = (double) count(assignment, small) / z.length;
            silhouettes[c] = silhouette(z, assignment, Seeds.random(Seeds.derive(seed, 100 + c)));
            smallOf[c] = new int[count(assignment, small)];
            for (int j = 0, k = 0; j < idx.length; j++) {
                if (assignment[j] == small) {
                    smallOf[c][k++] = idx[j];
                    scores[idx[j]] = silhouettes[c];
                }
            }
        }
        double[] kept = new double[byClass.length];
        java.util.Arrays.fill(kept, Double.NaN);
        if (routine != null) {
            for (int c = 0; c < byClass.length; c++) {
                if (smallOf[c].length == 0 || shares[c] > sizeThreshold) {
                    continue;
                }
                boolean[] out = new boolean[labels.length];
                for (int i : smallOf[c]) {
                    out[i] = true;
                }
                int[] rest = Rows.where(out, false);
                dev.rampart.core.model.Classifier retrained = routine.train(new LabeledData(data.name()
                        + ":without-cluster-" + c, Rows.gather(data.features(), rest), Rows.pick(labels, rest),
                        data.numClasses()), Seeds.derive(seed, 200 + c));
                int[] predicted = retrained.predictClasses(Rows.gather(data.features(), smallOf[c]));
                int same = 0;
                for (int p : predicted) {
                    same += p == c ? 1 : 0;
                }
                kept[c] = (double) same / predicted.length;
            }
        }
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length < 4) {
                summary.add(new PoisonReport.ClassSummary(c, byClass[c].length, 0, false, "too few examples"));
                continue;
            }
            boolean small = shares[c] > 0 && shares[c] <= sizeThreshold;
            boolean suspicious = routine != null ? small && kept[c] < reclassifyThreshold
                    : small && silhouettes[c] >= silhouetteThreshold;
            if (suspicious) {
                for (int i : smallOf[c]) {
                    flagged[i] = true;
                }
            }
            summary.add(new PoisonReport.ClassSummary(c, byClass[c].length, suspicious ? smallOf[c].length : 0,
                    suspicious, String.format(Locale.ROOT, "smaller cluster %.3f of the class, silhouette %.3f%s",
                            shares[c], silhouettes[c], routine == null ? ""
                                    : String.format(Locale.ROOT, ", %.3f of it keeps its label after retraining",
                                            kept[c]))));
        }
        String rule = routine != null ? String.format(Locale.ROOT, "exclusionary reclassification, kept < %.2f",
                reclassifyThreshold) : String.format(Locale.ROOT, "smaller cluster <= %.2f, silhouette >= %.2f",
                sizeThreshold, silhouetteThreshold);
        return new PoisonReport(String.format(Locale.ROOT, "activation clustering (layer '%s', %d dimensions, %s)",
                layer, dimensions, rule),
                flagged, scores, summary);
    }

    private static int[] assign(double[][] z, List<CentroidCluster<DoublePoint>> clusters) {
        double[][] centres = new double[clusters.size()][];
        for (int k = 0; k < centres.length; k++) {
            centres[k] = clusters.get(k).getCenter().getPoint();
        }
        int[] a = new int[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = centres.length < 2 || sq(z[i], centres[0]) <= sq(z[i], centres[1]) ? 0 : 1;
        }
        return a;
    }

    private static int count(int[] a, int v) {
        int k = 0;
        for (int x : a) {
            k += x == v ? 1 : 0;
        }
        return k;
    }

    /** The mean silhouette (Rousseeuw 1987) of a 2-clustering, on a seeded sample of the points. */
    static double silhouette(double[][] z, int[] a, SplittableRandom rnd) {
        int n = z.length;
        int[] sample = n <= SILHOUETTE_SAMPLE ? Rows.all(n) : Seeds.sample(n, SILHOUETTE_SAMPLE, rnd);
        double total = 0;
        for (int i : sample) {
            double[] sum = new double[2];
            int[] cnt = new int[2];
            for (int j : sample) {
                if (i != j) {
                    sum[a[j]] += Math.sqrt(sq(z[i], z[j]));
                    cnt[a[j]]++;
                }
            }
            int own = a[i];
            if (cnt[own] == 0 || cnt[1 - own] == 0) {
                continue; // a singleton or a single cluster: silhouette 0
            }
            double in = sum[own] / cnt[own];
            double out = sum[1 - own] / cnt[1 - own];
            total += (out - in) / Math.max(in, out);
        }
        return total / sample.length;
    }

    private static double sq(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return s;
    }

    /** Builds an {@link ActivationClustering}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final ActivationModel model;
        private String layer;
        private int dimensions = 10;
        private double sizeThreshold = 0.35;
        private double silhouetteThreshold = 0.40;
        private long seed;
        private dev.rampart.core.model.TrainingRoutine routine;
        private double reclassifyThreshold = 0.5;

        private Builder(ActivationModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The representation layer (default: the last hidden layer). */
        public Builder layer(String layer) {
            this.layer = layer;
            return this;
        }

        /** Dimensions kept before clustering (default 10, as Chen et al.). */
        public Builder dimensions(int d) {
            this.dimensions = d;
            return this;
        }

        /** A class is suspicious only if its smaller cluster is at most this share (default 0.35). */
        public Builder sizeThreshold(double share) {
            this.sizeThreshold = share;
            return this;
        }

        /** ... and the split's silhouette score is at least this (default 0.40). */
        public Builder silhouetteThreshold(double s) {
            this.silhouetteThreshold = s;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Judge classes by exclusionary reclassification: retrain with {@code routine} without the
         * candidate clusters; a cluster of which less than {@code keptThreshold} keeps its label is
         * poisoned (0.5 is a majority).
         */
        public Builder reclassify(dev.rampart.core.model.TrainingRoutine routine, double keptThreshold) {
            this.routine = routine;
            this.reclassifyThreshold = keptThreshold;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public ActivationClustering build() {
            if (routine != null && !(reclassifyThreshold > 0 && reclassifyThreshold < 1)) {
                throw new IllegalArgumentException("keptThreshold must be in (0, 1), found " + reclassifyThreshold);
            }
            String l = Representations.resolve(model, layer);
            if (dimensions <= 0) {
                throw new IllegalArgumentException("dimensions must be positive, found " + dimensions);
            }
            if (!(sizeThreshold > 0 && sizeThreshold <= 0.5)) {
                throw new IllegalArgumentException("sizeThreshold must be in (0, 0.5], found " + sizeThreshold);
            }
            if (!(silhouetteThreshold >= -1 && silhouetteThreshold <= 1)) {
                throw new IllegalArgumentException("silhouetteThreshold must be in [-1, 1], found " + silhouetteThreshold);
            }
            return new ActivationClustering(this, l);
        }
    }
}
