package dev.rampart.attacks.evasion;

import dev.rampart.core.model.GradientClassifier;

/**
 * The base of white-box evasion attacks: the {@link EvasionTemplate} with a model that has
 * inference-mode input gradients.
 *
 * @param <C> the attack's configuration record
 */
public abstract class GradientAttack<C extends AttackConfig> extends EvasionTemplate<C> {

    /** The model under attack, without per-query value scans (see {@link GradientClassifier#unchecked()}). */
    protected final GradientClassifier model;

    /**
     * @throws IllegalArgumentException naming the parameter, if a value is invalid
     */
    protected GradientAttack(GradientClassifier model, C config) {
        super(model, config);
        this.model = model.unchecked(); // the template checks the user's input; iterates are clipped
    }

    /**
     * The builder of a gradient attack: the shared settings plus the model.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class Builder<B extends Builder<B>> extends EvasionTemplate.Builder<B> {
        protected final GradientClassifier model;

        protected Builder(GradientClassifier model) {
            this.model = model;
        }
    }
}
