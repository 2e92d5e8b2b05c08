package dev.rampart.core.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model whose internal layer activations can be read, in inference mode. Poisoning detectors
 * (activation clustering, spectral signatures) use it; feature-space attacks also need their
 * gradients ({@link ActivationGradientModel}).
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

}
