package dev.rampart.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model that can take a training step. Adversarial training and poisoning experiments use it;
 * the step is the wrapped framework's own (its updater, its regularization, its listeners).
 *
 * <pre>{@code
 * TrainableModel model = MultiLayerNetworkModel.of(net, shape, InputDomain.UNIT);
 * model.fit(batch, Labels.oneHot(labels, model.numClasses()));
 * }</pre>
 */
public interface TrainableModel extends Classifier {

    /**
     * One training step on a batch; this is the one method that changes the model.
     *
     * @param x inputs of shape {@code [n, inputShape...]}, finite and inside the domain
     * @param oneHotLabels labels of shape {@code [n, numClasses()]}: finite rows summing to 1
     *     (one-hot, probabilities, or the signed soft labels of {@link #softmaxCrossEntropyOutput()})
     * @throws IllegalArgumentException naming the parameter, before any training, if a value is bad
     */
    void fit(INDArray x, INDArray oneHotLabels);

    /**
     * All of the model's parameters as one array: a view that training updates in place, so that a
     * {@code dup()} of it is a snapshot and {@code assign} restores one.
     */
    INDArray parameters();

    /**
     * Whether a training step's gradient at the logits is {@code p - t} for any label rows
     * {@code t} summing to 1 ({@code p} the softmax output): true for a softmax output trained
     * with multi-class cross-entropy. Trainers that pass soft labels (TRADES) need it.
     */
    default boolean softmaxCrossEntropyOutput() {
        return false;
    }
}
