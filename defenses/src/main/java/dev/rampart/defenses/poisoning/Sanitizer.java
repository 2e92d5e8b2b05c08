package dev.rampart.defenses.poisoning;

import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import java.util.ArrayList;
import java.util.List;

/**
 * Detect, remove, retrain, and report what changed: a {@link PoisonDetector} examines the training
 * set, the flagged examples are dropped, the user's {@link TrainingRoutine} trains a new model on
 * the rest, and both models are evaluated on clean test data (and on the attack's test, when there
 * is one), overall and per class.
 *
 * <pre>{@code
 * Sanitizer.Result r = Sanitizer.run(SpectralSignatures.builder(model).build(), routine, train, model,
 *         test, attack.attackTest(test), 1);
 * r.before().attackSuccessRate();  r.after().attackSuccessRate();  r.perClass();
 * }</pre>
 */
public final class Sanitizer {

    private Sanitizer() {
    }

    /**
     * What sanitization changed.
     *
     * @param detection the detector's report
     * @param removed examples removed
     * @param before the model trained on the full data
     * @param after the model retrained without the flagged examples
     * @param perClass per class of the training set
     */
    public record Result(PoisonReport detection, int removed, PoisoningEvaluation before, PoisoningEvaluation after,
            List<PerClass> perClass) {
        public Result {
            perClass = List.copyOf(perClass);
        }
    }

    /**
     * One class.
     *
     * @param label the class
     * @param flagged its training examples flagged and removed
     * @param accuracyBefore test accuracy on the class before
     * @param accuracyAfter after
     */
    public record PerClass(int label, int flagged, double accuracyBefore, double accuracyAfter) {
    }

    /**
     * Runs detection, removal and retraining.
     *
     * @param detector the detector (usually built on {@code trained})
     * @param routine the user's training routine
     * @param train the (possibly poisoned) training set
     * @param trained the model trained on {@code train}, or {@code null} to train it with {@code routine}
     * @param test clean test data
     * @param attackTest the attack's test with the attacker's labels, or {@code null}
     * @param seed passed to the routine
     */
    public static Result run(PoisonDetector detector, TrainingRoutine routine, LabeledData train, Classifier trained,
            LabeledData test, LabeledData attackTest, long seed) {
        if (detector == null || routine == null || train == null || test == null) {
            throw new IllegalArgumentException("detector, routine, train and test must not be null");
        }
        Classifier first = trained != null ? trained : routine.train(train, seed);
        PoisonReport report = detector.detect(train);
        int[] keep = Rows.where(report.flagged(), false);
        if (keep.length == 0) {
            throw new IllegalStateException("the detector flagged every training example: nothing left to train on");
        }
        LabeledData kept = new LabeledData(train.name() + ":sanitized", Rows.gather(train.features(), keep),
                Rows.pick(train.labels(), keep), train.numClasses());
        Classifier second = routine.train(kept, seed);
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
            per.add(new PerClass(c.label(), c.flagged(), n == 0 ? Double.NaN : (double) r1 / n,
                    n == 0 ? Double.NaN : (double) r2 / n));
        }
        return new Result(report, train.size() - keep.length, before, after, per);
    }
}
