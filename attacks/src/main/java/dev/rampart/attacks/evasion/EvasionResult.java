package dev.rampart.attacks.evasion;

import dev.rampart.core.metric.Metrics;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.report.Provenance;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of an evasion attack on a batch, with per-example facts and how it was made.
 *
 * @param attack the attack's name
 * @param config the attack's configuration record
 * @param seed the seed that fixed every random choice
 * @param norm the threat model's norm
 * @param epsilon the budget
 * @param goal the goal
 * @param adversarial the adversarial examples, inside the epsilon ball and the model's domain
 * @param success whether each example achieves the goal
 * @param perturbationNorm {@code ||x_adv - x||} of each example, in {@code norm}
 * @param cleanPredictions the model's classes on the clean inputs
 * @param adversarialPredictions the model's classes on the adversarial examples
 * @param gradientCalls model passes spent, counted per example: forward-backward passes for gradient
 *     attacks, forward queries for query-only attacks (Square)
 * @param seconds wall time of the run
 * @param provenance versions and backend
 */
public record EvasionResult(String attack, AttackConfig config, long seed, Norm norm, double epsilon, AttackGoal goal,
        INDArray adversarial, boolean[] success, double[] perturbationNorm, int[] cleanPredictions,
        int[] adversarialPredictions, long gradientCalls, double seconds, Provenance provenance) {

    /** Number of examples. */
    public int size() {
        return success.length;
    }

    /** Fraction of examples for which the goal is achieved. */
    public double successRate() {
        int s = 0;
        for (boolean b : success) {
            s += b ? 1 : 0;
        }
        return (double) s / success.length;
    }

    /** Fraction of examples classified correctly on clean inputs. */
    public double cleanAccuracy() {
        return Metrics.accuracy(cleanPredictions, goal.labels());
    }

    /** Fraction of examples still classified correctly after the attack. */
    public double robustAccuracy() {
        return Metrics.accuracy(adversarialPredictions, goal.labels());
    }

    /** Whether example {@code i} is classified correctly after the attack. */
    public boolean robust(int i) {
        return adversarialPredictions[i] == goal.label(i);
    }
}
