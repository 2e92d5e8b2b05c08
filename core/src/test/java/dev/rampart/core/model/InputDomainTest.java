package dev.rampart.core.model;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InputDomainTest {

    @Test
    void clippedFloatValuesAreInsideBoundsThatFloatCannotRepresent() {
        InputDomain d = new InputDomain(-0.05, 0.05);   // (float) -0.05 < -0.05 and (float) 0.05 > 0.05
        INDArray x = Nd4j.createFromArray(-1f, -0.05f, 0f, 0.05f, 1f);
        d.clipInPlace(x);
        assertTrue(x.minNumber().doubleValue() >= -0.05, "min " + x.minNumber().doubleValue());
        assertTrue(x.maxNumber().doubleValue() <= 0.05, "max " + x.maxNumber().doubleValue());
        Inputs.checkFiniteInDomain(x, d, "x"); // a clipped batch passes the model's own check
        INDArray doubles = Nd4j.createFromArray(-1.0, 1.0);
        d.clipInPlace(doubles);
        assertTrue(doubles.getDouble(0) == -0.05 && doubles.getDouble(1) == 0.05);
        assertTrue(d.lower(DataType.FLOAT) >= -0.05 && d.upper(DataType.FLOAT) <= 0.05);
        assertMessage(() -> new InputDomain(1, 1), "min < max");
        assertMessage(() -> new InputDomain(Double.NaN, 1), "finite");
    }
}
