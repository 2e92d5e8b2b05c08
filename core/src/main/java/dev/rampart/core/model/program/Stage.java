package dev.rampart.core.model.program;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One step of an {@link InferenceProgram}: a function of its inputs and its backward pass with
 * respect to those inputs only (parameter gradients are never computed). Stages are made by the
 * model adapters' compilers; a user never builds one.
 *
 * <pre>{@code
 * Stage relu = new Stages.Relu();
 * INDArray y = relu.forward(new INDArray[] {x});
 * }</pre>
 */
public interface Stage {

    /** The output for the given inputs; never modifies them. */
    INDArray forward(INDArray[] in);

    /**
     * Gradients with respect to each input, given the inputs, the output {@link #forward} gave
     * and the gradient with respect to that output. May overwrite {@code gradOut}. An entry is
     * {@code null} for an input that has no gradient (a shape or an index).
     */
    INDArray[] backward(INDArray[] in, INDArray out, INDArray gradOut);

    /**
     * Adds to {@code norms[i]} the squared L2 norm of example {@code i}'s gradient with respect to
     * this stage's parameters, given the stage's inputs and the gradient at its output: from
     * {@link #perExample}; stages without it add nothing.
     */
    default void addParameterGradientNorms(INDArray[] in, INDArray gradOut, double[] norms) {
        PerExample p = perExample(in, gradOut);
        if (p != null) {
            double[] own = p.squaredNorms();
            for (int i = 0; i < norms.length; i++) {
                norms[i] += own[i];
            }
        }
    }

    /**
     * Example {@code i}'s gradient with respect to this stage's parameters, for every example of a
     * batch, from the stage's inputs and the gradient at its output in one backward pass: their
     * squared norms, and any weighted sum of them (DP-SGD's clipped sum) without a second pass.
     */
    interface PerExample {
        /** The squared L2 norm of each example's gradient with respect to this stage's parameters. */
        double[] squaredNorms();

        /**
         * {@code sum_i w_i g_i} in the order and shapes of {@link Stage#parameterArrays()}, for a
         * column {@code w} of shape {@code [n, 1]} in the gradients' type.
         */
        INDArray[] weightedSum(INDArray w);
    }

    /**
     * This stage's {@link PerExample} gradients given its inputs and output gradient (which the
     * result does not keep: it may be overwritten afterwards), or {@code null} for stages without
     * parameters or that do not compute them.
     */
    default PerExample perExample(INDArray[] in, INDArray gradOut) {
        return null;
    }

    /** Whether the stage has parameters of its own. */
    default boolean hasParameters() {
        return false;
    }

    /** Why this stage's per-example parameter gradients cannot be computed exactly, or {@code null}. */
    default String perExampleProblem() {
        return null;
    }

    /** A short description for error messages and logs. */
    String describe();

    /**
     * How bound propagation (interval and linear bounds over a set of inputs) may pass through this
     * stage. Stages that are none of the known kinds are {@link Kind#OTHER}: bounds refuse them by name.
     */
    enum Kind {
        /** An affine map of its inputs ({@link #absolute()} gives its linear part with absolute coefficients). */
        AFFINE,
        /** The rectified linear unit. */
        RELU,
        /** An element-wise non-decreasing function of one input. */
        MONOTONE,
        /** Max pooling: non-decreasing in every input, the maximum over windows. */
        MAX_POOL,
        /** Anything else. */
        OTHER
    }

    /** This stage's {@link Kind}. */
    default Kind kind() {
        return Kind.OTHER;
    }

    /**
     * For an {@link Kind#AFFINE} stage {@code f(x) = L x + b}: the stage computing {@code |L| x}
     * (every coefficient replaced by its absolute value, no offset), which maps the radii of input
     * intervals to the radii of output intervals. {@code null} for other kinds.
     */
    default Stage absolute() {
        return null;
    }

    /**
     * The live parameter arrays this stage reads (views of the model's parameters, in a fixed
     * order), for training rules that compute their own gradients; empty for stages without any.
     */
    default INDArray[] parameterArrays() {
        return new INDArray[0];
    }

    /**
     * The gradients of a loss with respect to {@link #parameterArrays()}, summed over the batch,
     * given the stage's inputs and the gradient at its output, in the same order and shapes.
     *
     * @throws UnsupportedOperationException for stages that do not compute them
     */
    default INDArray[] parameterGradients(INDArray[] in, INDArray gradOut) {
        throw new UnsupportedOperationException("parameter gradients are not available for " + describe());
    }

    /** A stage with one input. */
    abstract class Unary implements Stage {
        /** The output for {@code x}; never modifies it. */
        @Override
        public final INDArray forward(INDArray[] in) {
            return forward(in[0]);
        }

        @Override
        public final INDArray[] backward(INDArray[] in, INDArray out, INDArray gradOut) {
            return new INDArray[] {backward(in[0], out, gradOut)};
        }

        protected abstract INDArray forward(INDArray x);

        /** The gradient with respect to {@code x}; may overwrite {@code gradOut}. */
        protected abstract INDArray backward(INDArray x, INDArray out, INDArray gradOut);
    }
}
