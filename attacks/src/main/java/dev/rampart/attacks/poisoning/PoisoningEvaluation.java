package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.TrainingRoutine;

/**
 * What a poisoning attack achieved on a model: its accuracy on clean test data, and its attack
 * success rate, the share of the attack's test inputs (triggered images, or the targeted class)
 * that the model assigns the attacker's label.
 *
 * <pre>{@code
 * PoisoningEvaluation e = PoisoningEvaluation.train(routine, poisoned, test, attack.attackTest(test), 1);
 * e.cleanAccuracy();  e.attackSuccessRate();
 * }</pre>
 *
 * @param cleanAccuracy accuracy on the clean test data
 * @param attackSuccessRate accuracy on the attack test (labels are the attacker's); NaN without one
 * @param model the model evaluated
 */
public record PoisoningEvaluation(double cleanAccuracy, double attackSuccessRate, Classifier model) {

    /**
     * Evaluates {@code model}.
     *
     * @param attackTest inputs with the labels the attacker wants ({@code null}: no attack test)
     */
    public static PoisoningEvaluation of(Classifier model, LabeledData cleanTest, LabeledData attackTest) {
        if (model == null || cleanTest == null) {
            throw new IllegalArgumentException("model and cleanTest must not be null");
        }
        double clean = Metrics.accuracy(model.predictClasses(Inputs.checkData(model, cleanTest, "cleanTest")),
                cleanTest.labels());
        double asr = attackTest == null ? Double.NaN
                : Metrics.accuracy(model.predictClasses(Inputs.checkData(model, attackTest, "attackTest")),
                        attackTest.labels());
        return new PoisoningEvaluation(clean, asr, model);
    }

    /** Trains a model on {@code poisoned} with the user's routine, then evaluates it. */
    public static PoisoningEvaluation train(TrainingRoutine routine, PoisonedData poisoned, LabeledData cleanTest,
            LabeledData attackTest, long seed) {
        if (poisoned == null) {
            throw new IllegalArgumentException("poisoned must not be null");
        }
        return train(routine, poisoned.data(), cleanTest, attackTest, seed);
    }

    /** Trains a model on {@code training} (poisoned or not) with the user's routine, then evaluates it. */
    public static PoisoningEvaluation train(TrainingRoutine routine, LabeledData training, LabeledData cleanTest,
            LabeledData attackTest, long seed) {
        if (routine == null || training == null) {
            throw new IllegalArgumentException("routine and training must not be null");
        }
        return of(routine.train(training, seed), cleanTest, attackTest);
    }
}
