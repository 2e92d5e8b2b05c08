package dev.rampart.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A per-example objective of a classifier's logits and its gradient with respect to them. A model
 * turns it into an input gradient with one forward and one backward pass
 * ({@link dev.rampart.core.model.GradientClassifier#logitGradient}); {@link LogitObjectives} has
 * the standard ones (cross-entropy, DLR, C&amp;W margin, KL divergence, linear).
 *
 * <pre>{@code
 * LogitObjective dlr = LogitObjectives.dlr(labels);
 * LogitGradient g = model.logitGradient(x, dlr);   // g.value(): [n], g.gradient(): x's shape
 * }</pre>
 */
@FunctionalInterface
public interface LogitObjective {

    /**
     * The objective's value per example and its gradient.
     *
     * @param logits {@code [n, classes]}; must not be modified
     * @return value {@code [n]} and gradient {@code [n, classes]}, of the logits' data type
     */
    Value evaluate(INDArray logits);

    /**
     * @param value per-example objective, {@code [n]}
     * @param gradient derivative of each example's value with respect to its logits, {@code [n, classes]}
     */
    record Value(INDArray value, INDArray gradient) {
    }
}
