package dev.rampart.defenses.poisoning;

import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Detect, remove, retrain, and report what changed: a {@link PoisonDetector} examines the training
 * set, the flagged examples are dropped, the user's {@link TrainingRoutine} trains a new model on
 * the rest, and both models are evaluated on clean test data (and on the attack's test, when there
 * is one), overall and per class.
 *
 * <pre>{@code
 * Sanitizer.Result r = Sanitizer.builder(SpectralSignatures.builder(model).build(), routine).trained(model)
 *         .seed(1).build().run(train, test, attack.attackTest(test));
 * r.before().attackSuccessRate();  r.after().attackSuccessRate();  r.perClass();
 * }</pre>
 */
public final class Sanitizer {

    /**
     * What a sanitization runs.
     *
     * @param detector the detector's configuration
     * @param seed passed to the training routine
     * @param priorsRestored whether depleted classes are resampled to their trusted share before
     *     retraining ({@link ClassPriors})
     */
    public record Config(PoisonDetector.Config detector, long seed, boolean priorsRestored) {
        /** @throws IllegalArgumentException if the detector's configuration is missing */
        public Config {
            Check.notNull("detector", detector);
        }
    }

    /**
     * What sanitization changed.
     *
     * @param detection the detector's report
     * @param removed examples removed
     * @param before the model trained on the full data
     * @param after the model retrained without the flagged examples
     * @param perClass per class of the training set
     * @param config what was run
     * @param provenance versions and backend
     */
    public record Result(PoisonReport detection, int removed, PoisoningEvaluation before, PoisoningEvaluation after,
            List<PerClass> perClass, Config config, Provenance provenance) {
        public Result {
            perClass = List.copyOf(perClass);
        }
    }

    /**
     * One class.
     *
     * @param label the class
     * @param flagged its training examples flagged and removed
     * @param accuracyBefore test accuracy on the class before (empty if the test has none of it)
     * @param accuracyAfter after
     */
    public record PerClass(int label, int flagged, Optional<Double> accuracyBefore, Optional<Double> accuracyAfter) {
    }

    private final PoisonDetector detector;
    private final TrainingRoutine routine;
    private final Classifier trained;
    private final Config config;
    private final LabeledData priorsReference;

    private Sanitizer(Builder b) {
        this.detector = b.detector;
        this.routine = b.routine;
        this.trained = b.trained;
        this.priorsReference = b.priorsReference;
        this.config = new Config(b.detector.config(), b.seed, b.priorsReference != null);
    }

    /**
     * @param detector the detector (usually built on the model trained on the data)
     * @param routine the user's training routine
     */
    public static Builder builder(PoisonDetector detector, TrainingRoutine routine) {
        return new Builder(detector, routine);
    }

    public Config config() {
        return config;
    }

    /** {@link #run(LabeledData, LabeledData, LabeledData)} without an attack test. */
    public Result run(LabeledData train, LabeledData test) {
        return run(train, test, null);
    }

    /**
     * Runs detection, removal and retraining.
     *
     * @param train the (possibly poisoned) training set
     * @param test clean test data
     * @param attackTest the attack's test with the attacker's labels, or {@code null}
     * @throws IllegalStateException if the detector flags every example
     */
    public Result run(LabeledData train, LabeledData test, LabeledData attackTest) {
        Check.notNull("train", train);
        Check.notNull("test", test);
        Classifier first = trained != null ? trained : routine.train(train, config.seed());
        PoisonReport report = detector.detect(train);
        int[] keep = Rows.where(report.flagged(), false);
        if (keep.length == 0) {
            throw new IllegalStateException("the detector flagged every training example: nothing left to train on");
        }
        LabeledData kept = train.rows(keep, train.name() + ":sanitized");
        if (priorsReference != null) {
            kept = ClassPriors.restore(kept, priorsReference, config.seed()).data();
        }
        Classifier second = routine.train(kept, config.seed());
        PoisoningEvaluation before = PoisoningEvaluation.of(first, test, attackTest);
        PoisoningEvaluation after = PoisoningEvaluation.of(second, test, attackTest);
        int[] yTest = test.labels();
        int[] p1 = first.predictClasses(test.features());
        int[] p2 = second.predictClasses(test.features());
        List<PerClass> per = new ArrayList<>();
        for (PoisonReport.ClassSummary c : report.classes()) {
            int n = 0;
            int r1 = 0;
            int r2 = 0;
            for (int i = 0; i < yTest.length; i++) {
                if (yTest[i] == c.label()) {
                    n++;
                    r1 += p1[i] == yTest[i] ? 1 : 0;
                    r2 += p2[i] == yTest[i] ? 1 : 0;
                }
            }
            per.add(new PerClass(c.label(), c.flagged(), n == 0 ? Optional.empty() : Optional.of((double) r1 / n),
                    n == 0 ? Optional.empty() : Optional.of((double) r2 / n)));
        }
        return new Result(report, train.size() - keep.length, before, after, per, config, Provenance.current());
    }

    /** Builds a {@link Sanitizer}. */
    public static final class Builder {
        private final PoisonDetector detector;
        private final TrainingRoutine routine;
        private Classifier trained;
        private long seed;
        private LabeledData priorsReference;

        private Builder(PoisonDetector detector, TrainingRoutine routine) {
            this.detector = Check.notNull("detector", detector);
            this.routine = Check.notNull("routine", routine);
        }

        /** The model already trained on the data (default: trained with the routine). */
        public Builder trained(Classifier model) {
            this.trained = model;
            return this;
        }

        /**
         * Trusted data whose class shares a class depleted by the removal is resampled back to
         * before retraining ({@link ClassPriors}; default none).
         */
        public Builder restorePriors(LabeledData trusted) {
            this.priorsReference = Check.notNull("trusted", trusted);
            return this;
        }

        /** Passed to the routine. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Sanitizer build() {
            return new Sanitizer(this);
        }
    }
}
