package dev.rampart.attacks.evasion;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;

/**
 * The base of white-box evasion attacks: the {@link EvasionTemplate} with a model that has
 * inference-mode input gradients.
 */
public abstract class GradientAttack extends EvasionTemplate {

    /** The model under attack. */
    protected final GradientClassifier model;

    /**
     * @throws IllegalArgumentException naming the parameter, if a value is invalid
     */
    protected GradientAttack(GradientClassifier model, Norm norm, double epsilon, int batchSize, long seed) {
        super(model, norm, epsilon, batchSize, seed);
        this.model = model;
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
