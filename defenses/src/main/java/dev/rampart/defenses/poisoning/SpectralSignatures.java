package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spectral signatures (Tran, Li &amp; Madry, "Spectral signatures in backdoor attacks", NeurIPS
 * 2018): within each class, poisoned examples leave a trace along the top singular direction of
 * the centred representations. Each example's score is its squared projection on that direction,
 * and the {@code removalFactor x expectedPoisonRate} highest-scoring share of every class is
 * flagged (Tran et al. remove 1.5 times the expected poison count).
 *
 * <pre>{@code
 * PoisonReport r = SpectralSignatures.builder(model).expectedPoisonRate(0.05).build().detect(train);
 * }</pre>
 */
public final class SpectralSignatures extends RepresentationDetector {

    private final double expectedPoisonRate;
    private final double removalFactor;

    private SpectralSignatures(ActivationModel model, String layer, double rate, double factor) {
        super(model, layer);
        this.expectedPoisonRate = rate;
        this.removalFactor = factor;
    }

    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    /** At least 10 examples, and enough that the removal share flags one: {@code 1 / (factor x rate)}. */
    @Override
    public int minimumPerClass() {
        return (int) Math.max(10, Math.ceil(1 / (removalFactor * expectedPoisonRate)));
    }

    @Override
    protected PoisonReport analyse(LabeledData data, INDArray r) {
        int[] labels = data.labels();
        int[][] byClass = Pca.byClass(labels, data.numClasses());
        double[] scores = new double[labels.length];
        boolean[] flagged = new boolean[labels.length];
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
        for (int c = 0; c < byClass.length; c++) {
            int[] idx = byClass[c];
            if (idx.length < 2) {
                summary.add(new PoisonReport.ClassSummary(c, idx.length, 0, false, "too few examples"));
                continue;
            }
            INDArray centred = Pca.centred(Rows.gather(r, idx));
            INDArray v = Pca.components(centred, 1, "class " + c);
            double[] s = centred.mmul(v).toDoubleVector();
            int remove = (int) Math.min(idx.length, Math.round(removalFactor * expectedPoisonRate * idx.length));
            Integer[] order = new Integer[idx.length];
            for (int j = 0; j < idx.length; j++) {
                s[j] = s[j] * s[j];
                scores[idx[j]] = s[j];
                order[j] = j;
            }
            final double[] sc = s;
            Arrays.sort(order, (a, b) -> Double.compare(sc[b], sc[a]));
            for (int j = 0; j < remove; j++) {
                flagged[idx[order[j]]] = true;
            }
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            double total = centred.mul(centred).sumNumber().doubleValue();
            double top = 0;
            for (double v2 : s) {
                top += v2;
            }
            summary.add(new PoisonReport.ClassSummary(c, idx.length, remove, false, total == 0
                    ? "constant activations: no direction to score" : String.format(Locale.ROOT,
                    "top direction %.3f of the variance; score median %.4g, 99th percentile %.4g, max %.4g",
                    top / total, sorted[sorted.length / 2],
                    sorted[(int) Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))],
                    sorted[sorted.length - 1])));
        }
        return new PoisonReport(String.format(Locale.ROOT, "spectral signatures (layer '%s', expected poison rate %.3g,"
                + " removing %.3g x that per class)", layer, expectedPoisonRate, removalFactor), flagged, scores,
                summary);
    }

    /** Builds a {@link SpectralSignatures}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final ActivationModel model;
        private String layer;
        private double expectedPoisonRate = 0.05;
        private double removalFactor = 1.5;

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

        /** The poison rate to expect, in (0, 1) (default 0.05). */
        public Builder expectedPoisonRate(double rate) {
            this.expectedPoisonRate = rate;
            return this;
        }

        /** How many times the expected poison count to remove per class (default 1.5). */
        public Builder removalFactor(double factor) {
            this.removalFactor = factor;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public SpectralSignatures build() {
            String l = Representations.resolve(model, layer);
            if (!(expectedPoisonRate > 0 && expectedPoisonRate < 1)) {
                throw new IllegalArgumentException("expectedPoisonRate must be in (0, 1), found " + expectedPoisonRate);
            }
            if (!(removalFactor > 0) || Double.isInfinite(removalFactor)) {
                throw new IllegalArgumentException("removalFactor must be positive and finite, found " + removalFactor);
            }
            return new SpectralSignatures(model, l, expectedPoisonRate, removalFactor);
        }
    }
}
