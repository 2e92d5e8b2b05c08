package dev.rampart.attacks.evasion;

/**
 * An attack that looks for the smallest adversarial perturbation rather than the worst one within
 * a budget (C&amp;W, DeepFool, HopSkipJump): its {@link #sweep} is one unbounded run, each example
 * then held to each budget, so callers run it once for all budgets.
 *
 * <pre>{@code
 * if (attack instanceof MinimumNormSearch) { EpsilonSweep s = attack.sweep(x, goal, 0.5, 1.0, 2.0); }
 * }</pre>
 */
public interface MinimumNormSearch extends EvasionAttack {

    /** One unbounded run ({@code withEpsilon(infinity)}), each example then held to each budget. */
    @Override
    default EpsilonSweep sweep(org.nd4j.linalg.api.ndarray.INDArray x, AttackGoal goal, double... epsilons) {
        Sweeps.check(epsilons);
        return Sweeps.fromMinimumNorm(withEpsilon(Double.POSITIVE_INFINITY).run(x, goal), x, epsilons);
    }
}
