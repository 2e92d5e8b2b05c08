package dev.rampart.core.model;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A classifier that exposes the gradient of its loss with respect to its input, as white-box
 * attacks need.
 *
 * <p>Every gradient is that of the model <em>as it predicts</em>: dropout off, batch
 * normalization with its running statistics, parameters and statistics left unchanged. The loss
 * is summed over the batch, so row {@code i} of the gradient is example {@code i}'s gradient
 * alone, whatever the batch size.
 *
 * <pre>{@code
 * GradientClassifier model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
 * LossAndGradient lg = model.lossAndGradient(x, Labels.oneHot(y, model.numClasses()));
 * INDArray direction = Transforms.sign(lg.gradient());
 * }</pre>
 */
public interface GradientClassifier extends Classifier {

    /**
     * One forward and backward pass in inference mode.
     *
     * @param x a batch of shape {@code [n, inputShape...]}
     * @param oneHotLabels labels of shape {@code [n, numClasses()]}: one-hot rows or probability
     *     rows (finite, non-negative, summing to 1); for a targeted step, pass the targets and
     *     descend the gradient
     * @return per-example loss, the input gradient and the probabilities of that pass
     * @throws IllegalArgumentException naming the parameter, for a bad shape, a bad value of
     *     {@code x} (see {@link Classifier#predictProbabilities}) or a label row that is not a
     *     distribution
     */
    LossAndGradient lossAndGradient(INDArray x, INDArray oneHotLabels);

    /** The gradient of the summed loss with respect to {@code x}; see {@link #lossAndGradient}. */
    default INDArray lossGradient(INDArray x, INDArray oneHotLabels) {
        return lossAndGradient(x, oneHotLabels).gradient();
    }

    /**
     * The scores before the output activation ({@code [n, numClasses()]}). Margin-based attacks
     * (C&amp;W, DLR) use them because they do not saturate as probabilities do.
     */
    INDArray logits(INDArray x);

    /**
     * The input gradient of any objective of the logits, in one inference-mode forward and
     * backward pass: the model computes the logits, {@code objective} returns its per-example
     * value and gradient with respect to them, and the model back-propagates that gradient to the
     * input. Margin losses (C&amp;W, DLR), per-class gradients (DeepFool) and KL terms (TRADES) all
     * go through here.
     *
     * @param x a batch of shape {@code [n, inputShape...]}
     * @param objective see {@link dev.rampart.core.loss.LogitObjectives}
     * @return the objective's value, the gradient of its sum over the batch with respect to
     *     {@code x}, and the logits
     * @throws IllegalArgumentException on a shape mismatch
     */
    LogitGradient logitGradient(INDArray x, LogitObjective objective);

    @Override
    default GradientClassifier unchecked() {
        return this;
    }

    @Override
    GradientClassifier copy();
}
