package dev.rampart.core.loss;

import dev.rampart.core.check.Check;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adam (Kingma &amp; Ba, "Adam: a method for stochastic optimization", ICLR 2015) on one array of
 * variables, by ND4J's own updater: the attacks and defenses that optimize inputs (C&amp;W's
 * {@code w}, Neural Cleanse's mask and pattern) step with it rather than with a copy of their own.
 * Default betas 0.9 and 0.999, epsilon 1e-8. Create it outside the loop it serves; its state
 * (first and second moments) lives as long as it does.
 *
 * <pre>{@code
 * AdamOptimizer adam = new AdamOptimizer(0.01, w.shape(), w.dataType());
 * for (...) {
 *     w.subi(adam.update(gradient));
 * }
 * }</pre>
 */
public final class AdamOptimizer {

    private final GradientUpdater<Adam> updater;
    private final long[] shape;
    private int iteration;

    /**
     * @param learningRate the step size, positive
     * @param shape the shape of the variables (and of every gradient)
     * @param type their data type
     * @throws IllegalArgumentException if the learning rate is not positive or the shape is empty
     */
    @SuppressWarnings("unchecked")
    public AdamOptimizer(double learningRate, long[] shape, DataType type) {
        Check.positive("learningRate", learningRate);
        Check.notNull("shape", shape);
        long n = 1;
        for (long d : shape) {
            n = Check.multiply("the variables' size", n, d);
        }
        Check.positive("the variables' size", n);
        Adam config = new Adam(learningRate);
        this.updater = (GradientUpdater<Adam>) config.instantiate(Nd4j.zeros(type, 1, config.stateSize(n)), true);
        this.shape = shape.clone();
    }

    /**
     * One step: updates the moments with {@code gradient} and returns what to subtract from the
     * variables, as a new array of their shape ({@code gradient} is not modified).
     *
     * @throws IllegalArgumentException if {@code gradient} does not have the variables' shape
     */
    public INDArray update(INDArray gradient) {
        if (gradient == null || !java.util.Arrays.equals(gradient.shape(), shape)) {
            throw new IllegalArgumentException("gradient must have shape " + java.util.Arrays.toString(shape)
                    + ", found " + (gradient == null ? "null" : java.util.Arrays.toString(gradient.shape())));
        }
        INDArray step = gradient.dup('c');
        updater.applyUpdater(step.reshape(1, step.length()), iteration++, 0);
        return step;
    }

    /** Steps taken so far. */
    public int steps() {
        return iteration;
    }
}
