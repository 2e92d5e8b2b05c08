package dev.rampart.core.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The smallest thing Rampart can attack or defend: a classifier that answers queries.
 *
 * <p>Query-only (score-based) attacks need nothing more. Capabilities a model may lack are
 * separate interfaces ({@link GradientClassifier}, {@link ActivationModel}, {@link TrainableModel})
 * so that an attack can refuse a model when it is built rather than fail mid-run.
 *
 * <p>Inputs are batches: the first dimension is the example, the rest is {@link #inputShape()}.
 * Implementations never modify the arrays passed to them.
 *
 * <pre>{@code
 * Classifier model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
 * INDArray probabilities = model.predictProbabilities(images);   // [n, numClasses]
 * int[] classes = model.predictClasses(images);
 * }</pre>
 */
public interface Classifier {

    /** Number of output classes. */
    int numClasses();

    /** Shape of one example, without the batch dimension (for example {@code {1, 28, 28}}). */
    long[] inputShape();

    /** The range every input value must lie in; attacks clip to it. */
    InputDomain domain();

    /**
     * The floating-point type the model computes in. Inputs of another floating-point type are
     * converted to it (into a new array) by Rampart's adapters.
     */
    default DataType dataType() {
        return DataType.FLOAT;
    }

    /**
     * Class probabilities of the model as it predicts (inference mode).
     *
     * @param x a batch of shape {@code [n, inputShape...]}, every value finite and inside
     *     {@link #domain()}
     * @return a new array of shape {@code [n, numClasses()]}
     * @throws IllegalArgumentException naming {@code x} if it does not have the model's input
     *     shape, is empty, not floating-point, or holds a NaN, an infinite or an out-of-domain value
     */
    INDArray predictProbabilities(INDArray x);

    /** The predicted class of every example of {@code x}. */
    default int[] predictClasses(INDArray x) {
        return Labels.argmax(predictProbabilities(x));
    }

    /**
     * This model without the scan of input values for NaN, infinity and the domain (shapes are
     * still checked), for callers that guarantee them, such as attacks, which clip every iterate to
     * the domain. The default is this model itself, with every check.
     */
    default Classifier unchecked() {
        return this;
    }

    /**
     * An independent copy: training or querying the copy never affects this model. Use one copy
     * per thread; adapters of stateful networks are not thread-safe.
     */
    Classifier copy();
}
