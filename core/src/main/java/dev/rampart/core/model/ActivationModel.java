package dev.rampart.core.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model whose internal layer activations can be read, in inference mode. Poisoning detectors
 * (activation clustering, spectral signatures) and feature-space attacks use it.
 *
 * <pre>{@code
 * ActivationModel model = MultiLayerNetworkModel.of(net, shape, InputDomain.UNIT);
 * INDArray features = model.activations(x, model.layerNames().get(2));
 * }</pre>
 */
public interface ActivationModel extends Classifier {

    /** Names of the layers whose activations can be read, input to output. */
    List<String> layerNames();

    /**
     * The output of layer {@code layer} on {@code x}, in inference mode.
     *
     * @throws IllegalArgumentException if {@code layer} is not one of {@link #layerNames()}
     */
    INDArray activations(INDArray x, String layer);

    /**
     * The input gradient of an objective of a layer's activations, in one inference-mode pass: the
     * activations of {@code layer} (of shape {@code [n, d]}) play the part of the logits of
     * {@link GradientClassifier#logitGradient}. Feature-space attacks use it (feature collision,
     * Shafahi et al. 2018). The default refuses; the {@code MultiLayerNetwork} adapter supports
     * layers with two-dimensional outputs (dense layers).
     *
     * @return the objective's value per example, the gradient of its sum with respect to
     *     {@code x}, and the activations
     * @throws UnsupportedOperationException if this model or layer does not support it
     */
    default dev.rampart.core.loss.LogitGradient activationGradient(INDArray x, String layer,
            dev.rampart.core.loss.LogitObjective objective) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no activation gradients");
    }
}
