package dev.rampart.core.model;

/**
 * The closed interval {@code [min, max]} that every input value of a model lies in, such as
 * {@code [0, 1]} for images scaled from bytes. Attacks clip adversarial examples to it.
 *
 * @param min the smallest valid value
 * @param max the largest valid value
 */
public record InputDomain(double min, double max) {

    /** Images with values in {@code [0, 1]}. */
    public static final InputDomain UNIT = new InputDomain(0, 1);

    /**
     * @throws IllegalArgumentException if a bound is not finite or {@code min >= max}
     */
    public InputDomain {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("InputDomain bounds must be finite, found [" + min + ", " + max + "]");
        }
        if (min >= max) {
            throw new IllegalArgumentException("InputDomain needs min < max, found min=" + min + ", max=" + max);
        }
    }

    /** The width {@code max - min}. */
    /** Clips every value of {@code x} to {@code [min, max]}, in place; returns {@code x}. */
    public org.nd4j.linalg.api.ndarray.INDArray clipInPlace(org.nd4j.linalg.api.ndarray.INDArray x) {
        org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(x, min, false),
                max, false);
        return x;
    }

    public double width() {
        return max - min;
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
