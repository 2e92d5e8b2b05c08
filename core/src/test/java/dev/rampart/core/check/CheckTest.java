package dev.rampart.core.check;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rampart.core.data.LabeledData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CheckTest {

    @Test
    void valuesAreCheckedWithTheirNames() {
        assertMessage(() -> Check.positive("steps", 0), "steps must be positive, found 0");
        assertMessage(() -> Check.positive("rate", Double.NaN), "rate must be positive and finite, found NaN");
        assertMessage(() -> Check.share("rate", 1.0), "rate must be in (0, 1), found 1.0");
        assertMessage(() -> Check.multiply("values", Long.MAX_VALUE / 2, 3), "values overflows");
        assertEquals(6, Check.multiply("values", 2, 3));
    }

    @Test
    void nonFiniteArraysAreCountedAndLocated() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 2, 3, 4);
        x.putScalar(new long[] {1, 2, 3}, Float.NaN);
        x.putScalar(new long[] {0, 1, 0}, Float.POSITIVE_INFINITY);
        assertMessage(() -> Check.finite(x, "x"), "x holds 1 NaN and 1 infinite values (the first at [0, 1, 0])");
        INDArray big = Nd4j.valueArrayOf(new long[] {4}, Float.MAX_VALUE, DataType.FLOAT);
        assertSame(big, Check.finite(big, "big"), "a sum that overflows on finite values is no error");
    }

    @Test
    void labelledDataIsFiniteNonEmptyAndDense() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 10, 1, 2, 2);
        int[] y = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
        INDArray nan = x.dup();
        nan.putScalar(new long[] {7, 0, 1, 1}, Double.NaN);
        assertMessage(() -> new LabeledData("d", nan, y, 2), "features of d holds 1 NaN");
        assertMessage(() -> new LabeledData("d", Nd4j.create(DataType.FLOAT, 0, 1, 2, 2), new int[0], 2),
                "d holds no examples");
        assertMessage(() -> new LabeledData("d", Nd4j.zeros(DataType.INT32, 10, 4), y, 2), "must be floating-point");
        INDArray view = x.get(NDArrayIndex.interval(3, 8));
        LabeledData d = new LabeledData("view", view, java.util.Arrays.copyOfRange(y, 3, 8), 2);
        assertEquals(view, d.features());
        assertEquals('c', d.features().ordering());
        assertEquals(false, d.features().isView(), "a view is kept as a dense copy");
    }
}
