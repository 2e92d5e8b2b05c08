package dev.rampart.attacks.evasion;

import dev.rampart.core.norm.Norm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An evasion attack: finds, for each input, a perturbation within an epsilon ball of a norm that
 * makes the model misclassify it (or classify it as a target).
 *
 * <p>Attacks are immutable and built from a validated configuration; {@link #withEpsilon} gives
 * the same attack with another budget, for sweeps.
 *
 * <pre>{@code
 * EvasionAttack pgd = Pgd.builder(model).norm(Norm.LINF).epsilon(0.1).steps(20).build();
 * EvasionResult r = pgd.run(x, AttackGoal.untargeted(labels));
 * double robust = r.robustAccuracy();
 * }</pre>
 */
public interface EvasionAttack {

    /** A short name for reports, such as {@code PGD-20}. */
    String name();

    /** The norm of the threat model. */
    Norm norm();

    /** The perturbation budget. */
    double epsilon();

    /** The attack's configuration record, valid by construction. */
    AttackConfig config();

    /** This attack with budget {@code epsilon}. */
    EvasionAttack withEpsilon(double epsilon);

    /**
     * Runs the attack. The inputs are not modified.
     *
     * @param x a batch inside the model's input domain
     * @throws IllegalArgumentException if {@code x} or the goal does not fit the model
     */
    EvasionResult run(INDArray x, AttackGoal goal);

    /**
     * Runs the attack on examples whose indices in a larger evaluation set are {@code indices}.
     * Random choices (starts, restarts, searches) are seeded per example from the attack's seed
     * and the example's index, so a run split into parts, in any batches, makes each example the
     * same choices as one run on the whole set. {@code run(x, goal)} uses the positions 0, 1, ...
     * (null {@code indices} does the same).
     *
     * @throws IllegalArgumentException if {@code indices} does not hold one non-negative index per
     *     example, or as {@link #run(INDArray, AttackGoal)}
     */
    EvasionResult run(INDArray x, AttackGoal goal, long[] indices);

    /**
     * Runs the attack at each budget on the same inputs (for minimum-norm attacks, one run whose
     * perturbations are then held to each budget).
     *
     * @param epsilons at least one budget, each positive
     * @return one result per epsilon, in the given order
     * @throws IllegalArgumentException if the list is empty or a budget is not positive
     */
    default EpsilonSweep sweep(INDArray x, AttackGoal goal, double... epsilons) {
        Sweeps.check(epsilons);
        java.util.List<EvasionResult> out = new java.util.ArrayList<>();
        for (double eps : epsilons) {
            out.add(withEpsilon(eps).run(x, goal));
        }
        return new EpsilonSweep(out);
    }

    /** Untargeted run: any wrong class. */
    default EvasionResult run(INDArray x, int[] labels) {
        return run(x, AttackGoal.untargeted(labels));
    }
}
