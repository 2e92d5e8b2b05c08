package dev.rampart.defenses.detection;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A feature squeezer: a transformation that removes input detail a classifier should not need,
 * so that a large change of the prediction under squeezing suggests an adversarial input.
 *
 * <pre>{@code
 * Squeezer s = new BitDepthReduction(4, InputDomain.UNIT);
 * INDArray squeezed = s.squeeze(x);    // a new array; x is untouched
 * }</pre>
 */
public interface Squeezer {

    /** The squeezed inputs, as a new array of the same shape; {@code x} is not modified. */
    INDArray squeeze(INDArray x);

    /** A short name for reports, such as {@code bit-depth-4}. */
    String name();
}
