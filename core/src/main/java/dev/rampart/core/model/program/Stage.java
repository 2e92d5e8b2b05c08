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
     * this stage's parameters, given the stage's inputs and the gradient at its output. Stages
     * without parameters add nothing.
     */
    default void addParameterGradientNorms(INDArray[] in, INDArray gradOut, double[] norms) {
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
