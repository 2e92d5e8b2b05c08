package dev.rampart.core.model;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model that gives the input gradient of any objective of a layer's activations, in one
 * inference-mode pass: the activations of the layer (of shape {@code [n, d]}) play the part of the
 * logits of {@link GradientClassifier#logitGradient}. Feature-space attacks need it (feature
 * collision, Shafahi et al. 2018); {@link Capabilities#activationGradients} checks for it when such
 * an attack is built, for the layer it will use.
 *
 * <pre>{@code
 * ActivationGradientModel m = Capabilities.activationGradients(model, "layer4", "feature collision");
 * LogitGradient g = m.activationGradient(x, "layer4", objective);
 * }</pre>
 */
public interface ActivationGradientModel extends ActivationModel {

    /** The layers {@link #activationGradient} supports (for DL4J networks, those with {@code [n, d]} outputs). */
    List<String> activationGradientLayers();

    /**
     * @return the objective's value per example, the gradient of its sum with respect to
     *     {@code x}, and the layer's activations
     * @throws IllegalArgumentException if {@code layer} is not one of {@link #activationGradientLayers()}
     */
    LogitGradient activationGradient(INDArray x, String layer, LogitObjective objective);
}
