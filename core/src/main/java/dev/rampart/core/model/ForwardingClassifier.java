package dev.rampart.core.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Classifier} in front of another: it takes the wrapped model's classes, input shape,
 * domain and data type, and by default its predictions. Output defenses and query monitors extend
 * it and change what is answered or watched.
 *
 * <pre>{@code
 * Classifier logged = new ForwardingClassifier(model) {
 *     public INDArray predictProbabilities(INDArray x) { log(x); return super.predictProbabilities(x); }
 *     public Classifier copy() { return this; }
 * };
 * }</pre>
 */
public abstract class ForwardingClassifier implements Classifier {

    /** The wrapped model. */
    protected final Classifier inner;

    /** @throws IllegalArgumentException if {@code inner} is null */
    protected ForwardingClassifier(Classifier inner) {
        if (inner == null) {
            throw new IllegalArgumentException("victim must not be null");
        }
        this.inner = inner;
    }

    @Override
    public int numClasses() {
        return inner.numClasses();
    }

    @Override
    public long[] inputShape() {
        return inner.inputShape();
    }

    @Override
    public InputDomain domain() {
        return inner.domain();
    }

    @Override
    public DataType dataType() {
        return inner.dataType();
    }

    @Override
    public INDArray predictProbabilities(INDArray x) {
        return inner.predictProbabilities(x);
    }
}
