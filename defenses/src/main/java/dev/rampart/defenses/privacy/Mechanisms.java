package dev.rampart.defenses.privacy;

import dev.rampart.core.check.Check;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The array release the noise mechanisms share. */
final class Mechanisms {

    private Mechanisms() {
    }

    /** {@code values} plus a draw of {@code noise} per element, as a new array of the same type. */
    static INDArray addNoise(INDArray values, DoubleSupplier noise) {
        if (values == null) {
            throw new IllegalArgumentException("values must not be null");
        }
        double[] v = values.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < v.length; i++) {
            Check.finite("values[" + i + "]", v[i]);
            v[i] += noise.getAsDouble();
        }
        return Nd4j.create(v, values.shape(), 'c').castTo(values.dataType());
    }
}
