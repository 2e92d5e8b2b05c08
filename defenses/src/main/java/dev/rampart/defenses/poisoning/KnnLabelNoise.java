package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Label-noise detection by k-nearest-neighbour label disagreement (Paudice, Mu&ntilde;oz-Gonz&aacute;lez
 * &amp; Lupu, "Label sanitization against label flipping poisoning attacks", ECML PKDD workshops
 * 2018): an example whose {@code k} nearest neighbours (Euclidean, in a layer's representation
 * or in input space) agree on another label with a share of at least {@code agreement} is flagged,
 * and that label is suggested ({@link #relabel}). Distances by ND4J matrix products in blocks;
 * exact neighbours, {@code O(n^2 d)} time and {@code O(block x n)} memory.
 *
 * <pre>{@code
 * KnnLabelNoise knn = KnnLabelNoise.builder(model).k(10).agreement(0.5).build();
 * PoisonReport r = knn.detect(train);
 * LabeledData cleaned = knn.relabel(train);   // flagged examples take their neighbours' label
 * }</pre>
 */
public final class KnnLabelNoise implements PoisonDetector {

    /** Rows per block: a block's distances take {@code BLOCK x n} doubles (123 MB at n = 60,000). */
    private static final int BLOCK = 256;

    /** Where neighbours are measured. */
    public enum Space {
        /** In a layer's activations of the model. */
        REPRESENTATION,
        /** In the raw inputs. */
        INPUT
    }

    /**
     * k-NN label noise's configuration.
     *
     * @param space where distances are measured
     * @param layer the representation layer ({@link Space#REPRESENTATION} only; empty for input space)
     * @param k neighbours
     * @param agreement the share of neighbours that must agree on another label, in (0, 1]
     */
    public record Config(Space space, String layer, int k, double agreement) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("space", space);
            Check.notNull("layer", layer);
            if (space == Space.INPUT && !layer.isEmpty()) {
                throw new IllegalArgumentException("input space has no layer, found '" + layer + "'");
            }
            Check.positive("k", k);
            Check.shareUpToOne("agreement", agreement);
        }
    }

    private final ActivationModel model; // for Space.REPRESENTATION only
    private final Config config;

    private KnnLabelNoise(ActivationModel model, Config config) {
        this.model = model;
        this.config = config;
    }

    /** Neighbours in {@code model}'s last hidden layer (or {@link Builder#layer}). */
    public static Builder builder(ActivationModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null (use inputSpace() for raw inputs)");
        }
        return new Builder(model);
    }

    /** {@code k}: a clean example of a smaller class could never have its own label agreed on. */
    @Override
    public int minimumPerClass() {
        return config.k();
    }

    /** Neighbours in input space. */
    public static Builder inputSpace() {
        return new Builder(null);
    }

    @Override
    public String name() {
        return "k-NN label noise";
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public PoisonReport detect(LabeledData data) {
        int[] suggested = suggestions(data);
        int[] labels = data.labels();
        boolean[] flagged = new boolean[labels.length];
        double[] scores = new double[labels.length];
        int[] perClass = new int[data.numClasses()];
        int[] examples = new int[data.numClasses()];
        for (int i = 0; i < labels.length; i++) {
            examples[labels[i]]++;
            if (suggested[i] >= 0 && suggested[i] != labels[i]) {
                flagged[i] = true;
                perClass[labels[i]]++;
                scores[i] = 1;
            }
        }
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
        for (int c = 0; c < examples.length; c++) {
            summary.add(new PoisonReport.ClassSummary(c, examples[c], perClass[c], examples[c] == 0
                    ? PoisonReport.Verdict.NOT_JUDGED : PoisonReport.Verdict.CLEAN, Map.of()));
        }
        return PoisonReport.of(this, flagged, scores, summary);
    }

    /** {@code data} with every flagged example relabelled as its neighbours agree. */
    public LabeledData relabel(LabeledData data) {
        int[] suggested = suggestions(data);
        int[] y = data.labels();
        for (int i = 0; i < y.length; i++) {
            if (suggested[i] >= 0) {
                y[i] = suggested[i];
            }
        }
        return new LabeledData(data.name() + ":relabelled", data.features(), y, data.numClasses());
    }

    /** Per example, the label its neighbours agree on, or -1 if they do not agree enough. */
    private int[] suggestions(LabeledData data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        int n = data.size();
        int k = config.k();
        if (n <= k) {
            throw new IllegalArgumentException("k " + k + " needs more than " + k + " examples, found " + n);
        }
        INDArray r = config.space() == Space.INPUT
                ? data.features().reshape(n, data.features().length() / n).castTo(DataType.DOUBLE)
                : Representations.of(model, config.layer(), dev.rampart.core.model.Inputs.checkData(model, data,
                        "data"));
        INDArray sq = r.mul(r).sum(1).reshape(1, n);
        INDArray rt = r.transpose().dup('c'); // [d, n]: the product reads it without a copy per block
        int[] labels = data.labels();
        int[] out = new int[n];
        int classes = data.numClasses();
        double need = config.agreement() * k;
        // one block of distances, reused: a fresh array of this size per block costs more than its product
        INDArray block = Nd4j.create(DataType.DOUBLE, new long[] {Math.min(BLOCK, n), n}, 'c');
        for (int from = 0; from < n; from += BLOCK) {
            int to = Math.min(n, from + BLOCK);
            INDArray q = r.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray dm = to - from == block.rows() ? block : Nd4j.create(DataType.DOUBLE, new long[] {to - from, n}, 'c');
            // |q - x|^2 = |q|^2 + |x|^2 - 2 q.x; the |q|^2 term does not change the order
            Nd4j.gemm(q, rt, dm, false, false, -2.0, 0.0).addiRowVector(sq);
            DoubleBuffer d = dm.data().asNioDouble(); // read in place, row after row
            int first = from;
            // rows are independent: each thread keeps its own k nearest
            IntStream.range(from, to).parallel().forEach(i ->
                    out[i] = vote(d, (i - first) * n, n, i, k, labels, classes, need));
        }
        return out;
    }

    /**
     * The label the {@code k} nearest of row {@code i}'s distances ({@code d[offset .. offset + n)},
     * itself excluded) agree on with at least {@code need} votes, or -1. Ties go to the earlier
     * example, so the result does not depend on the thread.
     */
    private static int vote(DoubleBuffer d, int offset, int n, int i, int k, int[] labels, int classes, double need) {
        int[] nearest = new int[k];
        double[] nearestDist = new double[k];
        int filled = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) {
                continue;
            }
            double v = d.get(offset + j);
            if (filled < k || v < nearestDist[k - 1]) {
                int p = filled < k ? filled++ : k - 1;
                while (p > 0 && nearestDist[p - 1] > v) {
                    nearestDist[p] = nearestDist[p - 1];
                    nearest[p] = nearest[p - 1];
                    p--;
                }
                nearestDist[p] = v;
                nearest[p] = j;
            }
        }
        int[] votes = new int[classes];
        for (int m = 0; m < k; m++) {
            votes[labels[nearest[m]]]++;
        }
        int best = 0;
        for (int c = 1; c < classes; c++) {
            best = votes[c] > votes[best] ? c : best;
        }
        return votes[best] >= need ? best : -1;
    }

    /** Builds a {@link KnnLabelNoise}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final ActivationModel model;
        private String layer;
        private int k = 10;
        private double agreement = 0.5;

        private Builder(ActivationModel model) {
            this.model = model;
        }

        /** The representation layer (default: the last hidden layer). */
        public Builder layer(String layer) {
            this.layer = layer;
            return this;
        }

        /** Neighbours (default 10). */
        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /** The share of neighbours that must agree on another label, in (0, 1] (default 0.5). */
        public Builder agreement(double share) {
            this.agreement = share;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public KnnLabelNoise build() {
            return new KnnLabelNoise(model, model == null ? new Config(Space.INPUT, "", k, agreement)
                    : new Config(Space.REPRESENTATION, Representations.resolve(model, layer), k, agreement));
        }
    }
}
