package dev.rampart.attacks.evasion;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A white-box attack that looks for the smallest adversarial perturbation rather than the worst
 * one within a budget (C&amp;W, DeepFool). Its epsilon may be infinite, the default: the
 * perturbation found is returned as is. With a finite epsilon, the template projects the point
 * onto the ball. A {@link #sweep} is one unbounded run, each example then held to each budget.
 */
public abstract class MinimumNormAttack extends GradientAttack {

    protected MinimumNormAttack(GradientClassifier model, Norm norm, double epsilon, int batchSize, long seed) {
        super(model, norm, epsilon, batchSize, seed);
    }

    @Override
    protected final boolean unbounded() {
        return true;
    }

    @Override
    public final EpsilonSweep sweep(INDArray x, AttackGoal goal, double... epsilons) {
        Sweeps.check(epsilons);
        return Sweeps.fromMinimumNorm(withEpsilon(Double.POSITIVE_INFINITY).run(x, goal), x, epsilons);
    }
}
