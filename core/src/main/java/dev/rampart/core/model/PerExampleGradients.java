package dev.rampart.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainable model that can tell how large each example's gradient is, and take a training step
 * from a gradient it is given: what differentially private training (DP-SGD) needs to clip each
 * example's contribution and add noise before the update.
 *
 * <p>Per-example gradient norms come from one forward and one backward pass over the batch, not one
 * pass per example: for a dense layer, example {@code i}'s weight gradient is the outer product of
 * its input {@code a_i} and the gradient {@code d_i} at the layer's output (Goodfellow, "Efficient
 * per-example gradient computations", 2015), so its squared norm is {@code |a_i|^2 |d_i|^2}; for
 * a convolution it is the product of the unfolded input and the output gradient, per example.
 * Layers whose per-example gradients are not separable (batch normalization mixes the examples of a
 * batch in training) or differ between training and inference (dropout) are refused by name.
 *
 * <p>These methods are for training loops that check their data once: they check shapes and
 * types, not every value (see {@link Inputs#checkFiniteInDomain}).
 *
 * <pre>{@code
 * PerExampleGradients model = MultiLayerNetworkModel.of(net, shape, InputDomain.UNIT);
 * double[] norms = model.parameterGradientNorms(x, oneHot).norms();
 * INDArray sum = model.parameterGradient(x, softLabels);     // summed over the batch
 * INDArray clipped = model.clippedGradient(x, oneHot, 1.0).sum();  // DP-SGD's clipped sum, one pass
 * model.applyGradient(sum.addi(noise), expectedBatchSize);    // the network's own updater
 * }</pre>
 */
public interface PerExampleGradients extends TrainableModel {

    /**
     * Per-example gradient norms, and the probabilities of the pass that computed them.
     *
     * @param norms the L2 norm of each example's gradient with respect to all parameters
     * @param probabilities the model's class probabilities on the batch
     */
    record GradientNorms(double[] norms, INDArray probabilities) {
    }

    /**
     * The L2 norm of each example's gradient of the loss with respect to all the model's
     * parameters, from one forward and one backward pass.
     *
     * @param labels label rows of shape {@code [n, numClasses()]}
     * @throws IllegalArgumentException naming the parameter, for a bad shape or type
     * @throws UnsupportedOperationException naming the layer, if the model has one whose
     *     per-example gradients cannot be computed exactly
     */
    GradientNorms parameterGradientNorms(INDArray x, INDArray labels);

    /**
     * The gradient of the loss summed over the batch, with respect to all parameters, flattened
     * in the order of {@link #parameters()}; the model is not changed.
     *
     * @param labels finite rows summing to 1 (signed soft labels allowed, see
     *     {@link #softmaxCrossEntropyOutput()})
     */
    INDArray parameterGradient(INDArray x, INDArray labels);

    /**
     * DP-SGD's clipped sum of a batch.
     *
     * @param norms each example's gradient norm
     * @param factors each example's clipping factor {@code min(1, clipNorm / norm)}
     * @param sum {@code sum_i factor_i g_i}, flattened in the order of {@link #parameters()}
     * @param probabilities the model's class probabilities on the batch
     */
    record ClippedGradient(double[] norms, double[] factors, INDArray sum, INDArray probabilities) {
    }

    /**
     * {@code sum_i min(1, clipNorm / |g_i|) g_i} over the batch, with the norms and factors. This
     * default takes the norms from {@link #parameterGradientNorms} and the sum from
     * {@link #parameterGradient} of the reweighted soft labels {@code (1 - c) p + c y} (whose
     * softmax cross-entropy gradient at the logits is {@code c (p - y)}), so it needs a softmax
     * cross-entropy head; adapters that keep per-example gradients from the first pass override it
     * to skip the second.
     *
     * @param labels one-hot label rows {@code [n, numClasses()]}
     * @param clipNorm the clip norm, positive
     */
    default ClippedGradient clippedGradient(INDArray x, INDArray labels, double clipNorm) {
        GradientNorms pass = parameterGradientNorms(x, labels);
        double[] norms = pass.norms();
        double[] c = new double[norms.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.min(1, clipNorm / Math.max(norms[i], 1e-12));
        }
        INDArray p = pass.probabilities().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray col = org.nd4j.linalg.factory.Nd4j.createFromArray(c).reshape(-1, 1);
        INDArray soft = p.mulColumnVector(col.rsub(1)).addi(labels.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .mulColumnVector(col));
        return new ClippedGradient(norms, c, parameterGradient(x, soft.castTo(labels.dataType())).reshape(1, -1),
                pass.probabilities());
    }

    /**
     * One training step from {@code gradient} (flattened as {@link #parameters()}, a sum over
     * {@code batchSize} examples): the network's own updater and regularization, its iteration
     * count and its listeners.
     */
    void applyGradient(INDArray gradient, int batchSize);
}
