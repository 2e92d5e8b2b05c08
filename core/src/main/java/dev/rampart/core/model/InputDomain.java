package dev.rampart.core.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The closed interval {@code [min, max]} that every input value of a model lies in, such as
 * {@code [0, 1]} for images scaled from bytes. Attacks clip adversarial examples to it.
 *
 * @param min the smallest valid value
 * @param max the largest valid value
 */
public record InputDomain(double min, double max) implements java.io.Serializable {

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
        if (!Double.isFinite(max - min)) {
            throw new IllegalArgumentException("InputDomain's width max - min overflows a double, found [" + min + ", "
                    + max + "]");
        }
    }

    /**
     * Clips every value of {@code x} to {@code [min, max]}, in place; returns {@code x}. The bounds
     * are rounded inwards to {@code x}'s type, so that every clipped value is inside the domain
     * also when the bounds are not representable in it (-0.05 in float is below -0.05).
     */
    public INDArray clipInPlace(INDArray x) {
        Transforms.min(Transforms.max(x, lower(x.dataType()), false), upper(x.dataType()), false);
        return x;
    }

    /** The smallest value of type {@code type} inside the domain. */
    public double lower(DataType type) {
        if (type == DataType.FLOAT) {
            float f = (float) min;
            return f < min ? Math.nextUp(f) : f;
        }
        return min;
    }

    /** The largest value of type {@code type} inside the domain. */
    public double upper(DataType type) {
        if (type == DataType.FLOAT) {
            float f = (float) max;
            return f > max ? Math.nextDown(f) : f;
        }
        return max;
    }

    /** The width {@code max - min}. */
    public double width() {
        return max - min;
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
