package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
public final class ActivationClustering extends RepresentationDetector {

    private static final int SILHOUETTE_SAMPLE = 1500;
    /** Centres of a split closer than this share of the activations' size coincide. */
    private static final double COINCIDENT = 1e-5;

    /** How a split of a class is judged. */
    public sealed interface Judge permits SizeAndSilhouette, Reclassify, Confirm {
    }

    /**
     * Relative size and silhouette: poisoned when the smaller cluster holds at most the size
     * threshold of the class and the split's silhouette is at least the silhouette threshold.
     */
    public record SizeAndSilhouette() implements Judge {
    }

    /**
     * Exclusionary reclassification of every candidate split: retrain with {@code routine} without
     * the cluster; a cluster of which less than {@code keptThreshold} keeps its label is poisoned.
     *
     * @param routine the user's training routine
     * @param keptThreshold in (0, 1); 0.5 is a majority
     */
    public record Reclassify(TrainingRoutine routine, double keptThreshold) implements Judge {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Reclassify {
            Check.notNull("routine", routine);
            Check.share("keptThreshold", keptThreshold);
        }
    }

    /**
     * The first split by size and silhouette, the later splits of a class judged poisoned by
     * exclusionary reclassification (see {@link Reclassify}).
     *
     * @param routine the user's training routine
     * @param keptThreshold in (0, 1)
     */
    public record Confirm(TrainingRoutine routine, double keptThreshold) implements Judge {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Confirm {
            Check.notNull("routine", routine);
            Check.share("keptThreshold", keptThreshold);
        }
    }

    /**
     * Activation clustering's configuration.
     *
     * @param layer the representation layer
     * @param dimensions dimensions kept before clustering
     * @param sizeThreshold the largest share of a class its smaller cluster may hold to be suspicious
     * @param silhouetteThreshold the smallest silhouette of a suspicious split
     * @param rounds splits of a class judged poisoned, in all
     * @param judge how a split is judged
     * @param seed fixes the clustering
     */
    public record Config(String layer, int dimensions, double sizeThreshold, double silhouetteThreshold, int rounds,
            Judge judge, long seed) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("layer", layer);
            Check.positive("dimensions", dimensions);
            if (!(sizeThreshold > 0 && sizeThreshold <= 0.5)) {
                throw new IllegalArgumentException("sizeThreshold must be in (0, 0.5], found " + sizeThreshold);
            }
            Check.inRange("silhouetteThreshold", silhouetteThreshold, -1, 1);
            Check.positive("rounds", rounds);
            Check.notNull("judge", judge);
        }
    }

    private final Config config;

    private ActivationClustering(ActivationModel model, Config config) {
        super(model, config.layer());
        this.config = config;
    }

    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "activation clustering";
    }

    @Override
    public Config config() {
        return config;
    }

    /** At least 10 examples and twice the reduced dimensions: 2-means in fewer points splits noise. */
    @Override
    public int minimumPerClass() {
        return Math.max(10, 2 * config.dimensions());
    }

    @Override
    protected PoisonReport analyse(LabeledData data, INDArray r) {
        int[] labels = data.labels();
        int[][] byClass = Pca.byClass(labels, data.numClasses());
        double[] scores = new double[labels.length];
        boolean[] flagged = new boolean[labels.length];
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length < 4) {
                summary.add(new PoisonReport.ClassSummary(c, byClass[c].length, 0, PoisonReport.Verdict.NOT_JUDGED,
                        Map.of()));
                continue;
            }
            int[] remaining = byClass[c];
            int count = 0;
            Map<String, Double> figures = new LinkedHashMap<>();
            for (int round = 0; round < config.rounds() && remaining.length >= 4; round++) {
                Split s = split(r, remaining, Seeds.derive(config.seed(), c, round), c);
                boolean small = s.small().length > 0 && s.share() <= config.sizeThreshold();
                TrainingRoutine routine = retraining(round);
                String suffix = round == 0 ? "" : " (round " + (round + 1) + ")";
                figures.put("smallerClusterShare" + suffix, s.share());
                figures.put("silhouette" + suffix, s.silhouette());
                boolean suspicious;
                if (routine != null && small) {
                    double kept = keptAfterRetraining(routine, data, s.small(), c, Seeds.derive(config.seed(), 200 + c,
                            round));
                    figures.put("keptAfterRetraining" + suffix, kept);
                    suspicious = kept < keptThreshold();
                } else {
                    suspicious = routine == null && small && s.silhouette() >= config.silhouetteThreshold();
                }
                for (int i : s.small()) {
                    scores[i] = Math.max(scores[i], s.silhouette());
                }
                if (!suspicious) {
                    break;
                }
                boolean[] out = new boolean[labels.length];
                for (int i : s.small()) {
                    flagged[i] = true;
                    out[i] = true;
                }
                count += s.small().length;
                remaining = java.util.Arrays.stream(remaining).filter(i -> !out[i]).toArray();
            }
            summary.add(new PoisonReport.ClassSummary(c, byClass[c].length, count, count > 0
                    ? PoisonReport.Verdict.SUSPICIOUS : PoisonReport.Verdict.CLEAN, figures));
        }
        return PoisonReport.of(this, flagged, scores, summary);
    }

    /** The routine that judges split {@code round} by retraining, or null where size and silhouette judge it. */
    private TrainingRoutine retraining(int round) {
        if (config.judge() instanceof Reclassify r) {
            return r.routine();
        }
        if (config.judge() instanceof Confirm c) {
            return round > 0 ? c.routine() : null;
        }
        return null;
    }

    private double keptThreshold() {
        if (config.judge() instanceof Reclassify r) {
            return r.keptThreshold();
        }
        return config.judge() instanceof Confirm c ? c.keptThreshold() : 0;
    }

    /** One 2-means split of the examples {@code idx} in PCA space: the smaller cluster, its share, the silhouette. */
    private Split split(INDArray r, int[] idx, long splitSeed, int c) {
        INDArray rows = Rows.gather(r, idx);
        INDArray centred = Pca.centred(rows);
        double[][] z = centred.mmul(Pca.components(centred, config.dimensions(), "class " + c)).toDoubleMatrix();
        List<DoublePoint> points = new ArrayList<>(z.length);
        for (double[] p : z) {
            points.add(new DoublePoint(p));
        }
        JDKRandomGenerator rng = new JDKRandomGenerator();
        rng.setSeed(splitSeed);
        List<CentroidCluster<DoublePoint>> clusters = new KMeansPlusPlusClusterer<DoublePoint>(2, 300,
                new EuclideanDistance(), rng).cluster(points);
        int[] assignment = assign(z, clusters);
        int small = count(assignment, 0) <= count(assignment, 1) ? 0 : 1;
        int[] members = new int[count(assignment, small)];
        for (int j = 0, k = 0; j < idx.length; j++) {
            if (assignment[j] == small) {
                members[k++] = idx[j];
            }
        }
        // centres closer than rounding error of the activations' size (identical examples computed in
        // different rows of a batch differ in the last bits): no split, whatever the silhouette says
        double size = Math.sqrt(rows.mul(rows).sum(1).meanNumber().doubleValue());
        boolean apart = clusters.size() == 2 && Math.sqrt(sq(clusters.get(0).getCenter().getPoint(),
                clusters.get(1).getCenter().getPoint())) > COINCIDENT * (1 + size);
        double sil = apart ? silhouette(z, assignment, Seeds.random(Seeds.derive(splitSeed, 100))) : 0;
        return new Split(members, (double) members.length / idx.length, sil);
    }

    /** Exclusionary reclassification: the share of the cluster that keeps label {@code c} after retraining without it. */
    private double keptAfterRetraining(TrainingRoutine routine, LabeledData data, int[] cluster, int c,
            long trainSeed) {
        boolean[] out = new boolean[data.size()];
        for (int i : cluster) {
            out[i] = true;
        }
        int[] rest = Rows.where(out, false);
        Classifier retrained = routine.train(data.rows(rest, data.name() + ":without-cluster-" + c), trainSeed);
        int[] predicted = retrained.predictClasses(Rows.gather(data.features(), cluster));
        int same = 0;
        for (int p : predicted) {
            same += p == c ? 1 : 0;
        }
        return (double) same / predicted.length;
    }

    private record Split(int[] small, double share, double silhouette) {
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
            double scale = Math.max(in, out);
            total += scale == 0 ? 0 : (out - in) / scale; // coincident points: no separation
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
        private Judge judge = new SizeAndSilhouette();
        private int rounds = 1;

        private Builder(ActivationModel model) {
            this.model = Check.notNull("model", model);
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

        /**
         * Split a class judged poisoned again, without its flagged cluster, up to this many times in
         * all (default 1, the paper's single split). A poison of several source classes can fall into
         * two clusters of which 2-means takes one; a second round finds the other, and stops at the
         * first split that fails the class test.
         */
        public Builder rounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Judge every split by exclusionary reclassification: retrain with {@code routine} without
         * the candidate cluster; a cluster of which less than {@code keptThreshold} keeps its label
         * is poisoned (0.5 is a majority). One retraining per candidate class and round.
         */
        public Builder reclassify(TrainingRoutine routine, double keptThreshold) {
            this.judge = new Reclassify(routine, keptThreshold);
            return this;
        }

        /**
         * Judge the first split of each class by size and silhouette, and the later splits of a class
         * judged poisoned (see {@link #rounds}) by exclusionary reclassification with {@code routine}.
         * Clean classes cost no retraining; a poisoned class costs one per further round. On a poison
         * that falls into two clusters, the second one's silhouette is too low to tell from a clean
         * class's modes, while retraining without it still relabels it.
         */
        public Builder confirm(TrainingRoutine routine, double keptThreshold) {
            this.judge = new Confirm(routine, keptThreshold);
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public ActivationClustering build() {
            return new ActivationClustering(model, new Config(Representations.resolve(model, layer), dimensions,
                    sizeThreshold, silhouetteThreshold, rounds, judge, seed));
        }
    }
}
