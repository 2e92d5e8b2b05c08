package dev.rampart.attacks.evasion;

import dev.rampart.core.model.GradientClassifier;

/**
 * A white-box attack that looks for the smallest adversarial perturbation rather than the worst
 * one within a budget (C&amp;W, DeepFool). Its epsilon may be infinite, the default: the
 * perturbation found is returned as is. With a finite epsilon, the template projects the point
 * onto the ball. A {@link #sweep} is one unbounded run, each example then held to each budget.
 *
 * @param <C> the attack's configuration record
 */
public abstract class MinimumNormAttack<C extends AttackConfig> extends GradientAttack<C> implements MinimumNormSearch {

    protected MinimumNormAttack(GradientClassifier model, C config) {
        super(model, config);
    }

}
