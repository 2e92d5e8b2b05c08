package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
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

    /**
     * Spectral signatures' configuration.
     *
     * @param layer the representation layer
     * @param expectedPoisonRate the poison rate to expect, in (0, 1)
     * @param removalFactor how many times the expected poison count to remove per class
     */
    public record Config(String layer, double expectedPoisonRate, double removalFactor)
            implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("layer", layer);
            Check.share("expectedPoisonRate", expectedPoisonRate);
            Check.positive("removalFactor", removalFactor);
        }
    }

    private final Config config;

    private SpectralSignatures(ActivationModel model, Config config) {
        super(model, config.layer());
        this.config = config;
    }

    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "spectral signatures";
    }

    @Override
    public Config config() {
        return config;
    }

    /** At least 10 examples, and enough that the removal share flags one: {@code 1 / (factor x rate)}. */
    @Override
    public int minimumPerClass() {
        return (int) Math.max(10, Math.ceil(1 / (config.removalFactor() * config.expectedPoisonRate())));
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
                summary.add(new PoisonReport.ClassSummary(c, idx.length, 0, PoisonReport.Verdict.NOT_JUDGED, Map.of()));
                continue;
            }
            INDArray centred = Pca.centred(Rows.gather(r, idx));
            INDArray v = Pca.components(centred, 1, "class " + c);
            double[] s = centred.mmul(v).toDoubleVector();
            int remove = (int) Math.min(idx.length, Math.round(config.removalFactor() * config.expectedPoisonRate()
                    * idx.length));
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
            double total = centred.mul(centred).sumNumber().doubleValue();
            double top = 0;
            for (double v2 : s) {
                top += v2;
            }
            Percentile percentile = new Percentile().withEstimationType(Percentile.EstimationType.R_1);
            percentile.setData(s);
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("topDirectionVarianceShare", total == 0 ? 0 : top / total);
            figures.put("scoreMedian", percentile.evaluate(50));
            figures.put("score99thPercentile", percentile.evaluate(99));
            figures.put("scoreMax", percentile.evaluate(100));
            summary.add(new PoisonReport.ClassSummary(c, idx.length, remove, PoisonReport.Verdict.CLEAN, figures));
        }
        return PoisonReport.of(this, flagged, scores, summary);
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
            return new SpectralSignatures(model, new Config(Representations.resolve(model, layer), expectedPoisonRate,
                    removalFactor));
        }
    }
}
