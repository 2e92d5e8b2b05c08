package dev.rampart.defenses.privacy;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks and the array release the noise mechanisms share. */
final class Mechanisms {

    private Mechanisms() {
    }

    static void positive(String name, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be positive and finite, found " + v);
        }
    }

    static void finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, found " + v);
        }
    }

    static void delta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), found " + delta);
        }
    }

    /** {@code values} plus a draw of {@code noise} per element, as a new array of the same type. */
    static INDArray addNoise(INDArray values, DoubleSupplier noise) {
        if (values == null) {
            throw new IllegalArgumentException("values must not be null");
        }
        double[] v = values.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < v.length; i++) {
            finite("values[" + i + "]", v[i]);
            v[i] += noise.getAsDouble();
        }
        return Nd4j.create(v, values.shape(), 'c').castTo(values.dataType());
    }
}
