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
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model-level verdict turned into a data-level one: once {@link NeuralCleanse} has reversed the
 * trigger of a backdoored class, the training examples of that class that the trigger explains are
 * flagged. Clean images of the other classes, stamped with the reversed trigger, show where the
 * backdoor puts an input in the representation space; clean images of the target class show where
 * its legitimate examples lie. Each training example of the target class is projected on the line
 * between the two centroids ({@code 0} at the clean one, {@code 1} at the triggered one) and
 * flagged above a threshold calibrated on the clean sample: the {@code 1 - falsePositiveRate}
 * quantile of the clean target images' projections (no fixed cut-off: how far the real trigger
 * moves a training image along the line depends on how well the scan reversed it), provided the
 * class's training images exceed the clean ones beyond it by more than {@link Config#excessZ} standard
 * errors (3 by default): Neural Cleanse also flags classes that are merely easy to reach (on a clean model of full
 * Fashion-MNIST, shirts: anomaly index 2.61), whose training images the trigger explains no more
 * than their clean ones, and those are left alone. Works for any
 * trigger the scan reverses well enough to work (patch, blend, warp), because it looks at what the
 * network does with the trigger rather than at its pixels.
 *
 * <pre>{@code
 * NeuralCleanse.Report nc = NeuralCleanse.builder(model).build().scan(cleanSample);
 * PoisonReport r = TriggerExplanation.builder(model, nc, cleanSample).build().detect(train);
 * }</pre>
 */
public final class TriggerExplanation extends RepresentationDetector {

    /**
     * The detector's configuration.
     *
     * @param layer the representation layer
     * @param targets the classes Neural Cleanse judged backdoored (their reversed triggers are used)
     * @param falsePositiveRate the share of the clean sample's target images allowed above the threshold
     * @param excessZ a flagged class's training images are flagged only where the share of them beyond the
     *     clean images' cut exceeds the clean share by more than this many standard errors (the two-proportion
     *     test of the detectors with a trusted reference, {@link ReferenceCut})
     * @param scanSeed the seed of the Neural Cleanse scan the triggers came from
     */
    public record Config(String layer, List<Integer> targets, double falsePositiveRate, double excessZ,
            long scanSeed)
            implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("layer", layer);
            targets = List.copyOf(Check.notNull("targets", targets));
            Check.share("falsePositiveRate", falsePositiveRate);
            Check.finiteNotNegative("excessZ", excessZ);
        }

        @Override
        public long seed() {
            return scanSeed;
        }
    }

    /** Clean images of a class the calibration needs at least. */
    public static final int MIN_CLEAN_PER_CLASS = 20;

    private final Config config;
    private final NeuralCleanse.Report scan;
    private final LabeledData clean;

    private TriggerExplanation(ActivationModel model, Config config, NeuralCleanse.Report scan, LabeledData clean) {
        super(model, config.layer());
        this.config = config;
        this.scan = scan;
        this.clean = clean;
    }

    /**
     * @param model the model Neural Cleanse scanned (trained on the data to examine)
     * @param scan its report
     * @param clean trusted clean images (the scan's own sample will do) with at least
     *     {@link #MIN_CLEAN_PER_CLASS} of every flagged class and some of the others
     */
    public static Builder builder(ActivationModel model, NeuralCleanse.Report scan, LabeledData clean) {
        return new Builder(model, scan, clean);
    }

    @Override
    public String name() {
        return "trigger explanation";
    }

    @Override
    public Config config() {
        return config;
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
            if (!config.targets().contains(c)) {
                summary.add(new PoisonReport.ClassSummary(c, idx.length, 0, PoisonReport.Verdict.CLEAN, Map.of()));
                continue;
            }
            NeuralCleanse.Trigger t = scan.triggers().get(c);
            int[] own = ofClass(clean.labels(), c, true);
            int[] others = ofClass(clean.labels(), c, false);
            INDArray cleanCentre = Representations.of(model, layer, Rows.gather(clean.features(), own)).mean(0);
            INDArray triggered = t.apply(Rows.gather(clean.features(), others));
            INDArray triggeredCentre = Representations.of(model, layer, triggered).mean(0);
            INDArray w = triggeredCentre.sub(cleanCentre);
            double norm2 = w.mul(w).sumNumber().doubleValue();
            double[] cleanProj = project(Representations.of(model, layer, Rows.gather(clean.features(), own)),
                    cleanCentre, w, norm2);
            double[] proj = project(Rows.gather(r, idx), cleanCentre, w, norm2);
            // a class Neural Cleanse flags for a natural small trigger (on a clean full Fashion-MNIST
            // model, shirts) moves its training images no further than its clean ones: nothing to flag
            ReferenceCut excess = ReferenceCut.judge(proj, cleanProj, config.falsePositiveRate(), config.excessZ());
            Arrays.sort(cleanProj);
            int q = (int) Math.min(cleanProj.length - 1, Math.ceil((1 - config.falsePositiveRate()) * cleanProj.length)
                    - 1);
            double threshold = cleanProj[Math.max(0, q)];
            int count = 0;
            for (int j = 0; j < idx.length; j++) {
                scores[idx[j]] = proj[j];
                if (excess.poisoned() && proj[j] > threshold) {
                    flagged[idx[j]] = true;
                    count++;
                }
            }
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("threshold", threshold);
            figures.put("anomalyIndex", scan.anomalyIndex()[c]);
            figures.put("centroidDistance", Math.sqrt(norm2));
            figures.put("excessZ", excess.excessZ());
            summary.add(new PoisonReport.ClassSummary(c, idx.length, count, excess.poisoned()
                    ? PoisonReport.Verdict.SUSPICIOUS : PoisonReport.Verdict.CLEAN, figures));
        }
        return PoisonReport.of(this, flagged, scores, summary);
    }

    private static int[] ofClass(int[] labels, int c, boolean in) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> (labels[i] == c) == in).toArray();
    }

    private static double[] project(INDArray reps, INDArray centre, INDArray w, double norm2) {
        if (norm2 == 0) {
            return new double[(int) reps.size(0)];
        }
        return reps.subRowVector(centre.castTo(reps.dataType())).mmul(w.castTo(reps.dataType()).reshape(w.length(), 1))
                .divi(norm2).toDoubleVector();
    }

    /** Builds a {@link TriggerExplanation}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final ActivationModel model;
        private final NeuralCleanse.Report scan;
        private final LabeledData clean;
        private String layer;
        private double falsePositiveRate = 0.005;
        private double excessZ = 3;

        private Builder(ActivationModel model, NeuralCleanse.Report scan, LabeledData clean) {
            this.model = Check.notNull("model", model);
            this.scan = Check.notNull("scan", scan);
            this.clean = Check.notNull("clean", clean);
        }

        /** The representation layer (default: the last hidden layer). */
        public Builder layer(String layer) {
            this.layer = layer;
            return this;
        }

        /** The share of clean target images allowed above the threshold (default 0.005). */
        public Builder falsePositiveRate(double rate) {
            this.falsePositiveRate = rate;
            return this;
        }

        /**
         * Standard errors by which a flagged class's training images beyond the cut must exceed the clean
         * images' share there (default 3; 0 flags every training image beyond the cut).
         */
        public Builder excessZ(double z) {
            this.excessZ = z;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid value: the clean sample's classes
         *     or shape against the model, too few clean images of a flagged class, a scan of another
         *     class count
         */
        public TriggerExplanation build() {
            Inputs.checkData(model, clean, "clean");
            if (clean.numClasses() != model.numClasses() || scan.triggers().size() != model.numClasses()) {
                throw new IllegalArgumentException("the model has " + model.numClasses() + " classes, the clean sample "
                        + clean.numClasses() + " and the scan " + scan.triggers().size());
            }
            List<Integer> targets = Arrays.stream(scan.flagged()).boxed().toList();
            for (int c : targets) {
                int n = ofClass(clean.labels(), c, true).length;
                if (n < MIN_CLEAN_PER_CLASS || n == clean.size()) {
                    throw new IllegalArgumentException("the clean sample has " + n + " images of class " + c
                            + " (flagged by the scan) and " + (clean.size() - n) + " of the others: it needs at least "
                            + MIN_CLEAN_PER_CLASS + " of the class and one other");
                }
            }
            return new TriggerExplanation(model, new Config(Representations.resolve(model, layer), targets,
                    falsePositiveRate, excessZ, scan.config().seed()), scan, clean);
        }
    }
}
