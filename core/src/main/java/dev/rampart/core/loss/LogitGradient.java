package dev.rampart.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of {@link dev.rampart.core.model.GradientClassifier#logitGradient}: one
 * inference-mode forward and backward pass through the model for a {@link LogitObjective}.
 *
 * @param value the objective per example, {@code [n]}
 * @param gradient gradient of the summed objective with respect to the input, the input's shape
 * @param logits the model's logits on that input, {@code [n, classes]}
 */
public record LogitGradient(INDArray value, INDArray gradient, INDArray logits) {
}
