package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.norm.Norm;

/**
 * What every evasion attack's configuration record holds: the threat model (norm and budget), the
 * batch size and the seed. Each attack's {@code Config} record implements it and checks itself
 * when it is made, so an invalid configuration cannot exist; the message names the parameter as
 * the attack's builder spells it.
 *
 * <pre>{@code
 * AttackConfig c = Pgd.builder(model).epsilon(0.1).build().config();   // typed: Pgd.Config
 * }</pre>
 */
public interface AttackConfig {

    /** The threat model's norm. */
    Norm norm();

    /** The perturbation budget ({@code Infinity} for an unbounded minimum-norm attack). */
    double epsilon();

    /** Examples per forward-backward pass. */
    int batchSize();

    /** The seed of every random choice (0 for deterministic attacks). */
    default long seed() {
        return 0;
    }

    /** This configuration with budget {@code epsilon}, checked like any other. */
    AttackConfig withEpsilon(double epsilon);

    /**
     * Checks the settings every attack configuration shares.
     *
     * @param unbounded whether an infinite epsilon (no budget) is allowed
     * @throws IllegalArgumentException naming the first invalid value
     */
    static void checkCommon(Norm norm, double epsilon, int batchSize, boolean unbounded) {
        Check.notNull("norm", norm);
        if (!(unbounded && epsilon == Double.POSITIVE_INFINITY)) {
            Check.positive("epsilon", epsilon);
        }
        Check.positive("batchSize", batchSize);
    }
}
