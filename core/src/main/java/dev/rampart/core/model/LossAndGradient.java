package dev.rampart.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of one inference-mode forward and backward pass.
 *
 * @param loss per-example loss, shape {@code [n]}
 * @param gradient gradient of the summed loss with respect to the input, the input's shape
 * @param probabilities the model's class probabilities on the same input, {@code [n, classes]}
 */
public record LossAndGradient(INDArray loss, INDArray gradient, INDArray probabilities) {
}
