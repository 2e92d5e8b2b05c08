package dev.rampart.core.model;

/**
 * Checks that a model has the capability an attack or defense needs, when that attack or defense
 * is built, so that a query-only model given to a gradient attack fails at once with a clear
 * message rather than mid-run.
 *
 * <pre>{@code
 * GradientClassifier g = Capabilities.gradients(model, "PGD");
 * }</pre>
 */
public final class Capabilities {

    private Capabilities() {
    }

    /**
     * @param who the attack or defense that needs gradients, for the message
     * @throws IllegalArgumentException if {@code model} is null or has no input gradients
     */
    public static GradientClassifier gradients(Classifier model, String who) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (!(model instanceof GradientClassifier g)) {
            throw new IllegalArgumentException(who + " needs a model with input gradients (a GradientClassifier), but "
                    + model.getClass().getSimpleName() + " only answers queries; use a query-only attack instead");
        }
        return g;
    }

    /**
     * @param layer the layer whose activations the attack or defense differentiates
     * @param who the attack or defense, for the message
     * @throws IllegalArgumentException if {@code model} is null, gives no activation gradients, or
     *     not at {@code layer}
     */
    public static ActivationGradientModel activationGradients(Classifier model, String layer, String who) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (!(model instanceof ActivationGradientModel g)) {
            throw new IllegalArgumentException(who + " needs the input gradients of a layer's activations (an"
                    + " ActivationGradientModel), but " + model.getClass().getSimpleName() + " does not give them");
        }
        if (!g.activationGradientLayers().contains(layer)) {
            throw new IllegalArgumentException(who + " needs activation gradients at layer '" + layer + "'; "
                    + model.getClass().getSimpleName() + " gives them at " + g.activationGradientLayers());
        }
        return g;
    }
}
