package dev.rampart.core.data;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RowsTest {

    @Test
    void gatherAndScatterMoveWholeExamplesOfAnyRank() {
        INDArray x = Nd4j.arange(0, 5 * 2 * 3).castTo(DataType.FLOAT).reshape(5, 2, 3);
        INDArray some = Rows.gather(x, new int[] {4, 1});
        assertArrayEquals(new long[] {2, 2, 3}, some.shape());
        assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4)), some.get(
                org.nd4j.linalg.indexing.NDArrayIndex.point(0)));
        INDArray target = Nd4j.zeros(DataType.FLOAT, 5, 2, 3);
        Rows.scatter(target, new int[] {4, 1}, some);
        for (int i = 0; i < 5; i++) {
            INDArray row = target.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i));
            INDArray expected = i == 4 || i == 1 ? x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i))
                    : Nd4j.zeros(DataType.FLOAT, 2, 3);
            assertEquals(expected, row, "row " + i);
        }
        Rows.scatter(target, new int[0], Nd4j.zeros(DataType.FLOAT, 0, 2, 3));
        Rows.scatter(target, new int[] {0}, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 3))
                .castTo(DataType.DOUBLE));
        assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2)), target.get(
                org.nd4j.linalg.indexing.NDArrayIndex.point(0)), "values of another type are converted");
    }

    @Test
    void scatterRefusesWhatItCannotWrite() {
        INDArray target = Nd4j.zeros(DataType.FLOAT, 4, 3);
        assertMessage(() -> Rows.scatter(target, new int[] {4}, Nd4j.ones(DataType.FLOAT, 1, 3)), "row index 4");
        assertMessage(() -> Rows.scatter(target, new int[] {-1}, Nd4j.ones(DataType.FLOAT, 1, 3)), "row index -1");
        assertMessage(() -> Rows.scatter(target, new int[] {0, 1}, Nd4j.ones(DataType.FLOAT, 1, 3)), "do not fit");
        assertMessage(() -> Rows.scatter(target, new int[] {0}, Nd4j.ones(DataType.FLOAT, 1, 4)), "do not fit");
        assertMessage(() -> Rows.scatter(target.transpose(), new int[] {0}, Nd4j.ones(DataType.FLOAT, 1, 4)),
                "C-ordered");
    }
}
