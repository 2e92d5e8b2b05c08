package dev.rampart.core.model.program;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max pooling over windows that tile an NCHW input runs forward as a reshape and one reduction;
 * forward and backward must give libnd4j's maxpool2d and maxpool2d_bp results exactly, ties
 * included (a zero background gives whole windows of equal values, whose gradient goes to one).
 */
class TiledMaxPoolingTest {

    private static INDArray input(DataType type, long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(type, shape).subi(0.5);
        // a third of the values zero, and some windows wholly zero: ties
        INDArray zeros = Nd4j.rand(type, shape).lt(0.33).castTo(type);
        x.muli(zeros.rsub(1));
        long half = shape[0] / 2;
        x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, half)).assign(0);
        return x;
    }

    private static void check(DataType type, int k, boolean channelsLast, long... shape) {
        Stages.Pooling pool = new Stages.Pooling("max", new int[] {k, k}, new int[] {k, k}, new int[2],
                new int[] {1, 1}, false, 0, channelsLast, 0);
        int[] args = {k, k, k, k, 0, 0, 1, 1, 0, 0, channelsLast ? 1 : 0};
        INDArray x = input(type, 11 + k, shape);
        INDArray before = x.dup();
        INDArray expected = Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(x).addIntegerArguments(args)
                .build())[0];
        INDArray out = pool.forward(x);
        assertArrayEquals(expected.shape(), out.shape(), Arrays.toString(shape));
        assertEquals(expected, out, "forward " + Arrays.toString(shape) + (channelsLast ? " NHWC" : " NCHW"));

        Nd4j.getRandom().setSeed(5);
        INDArray gradOut = Nd4j.rand(type, expected.shape()).addi(0.1);
        INDArray expectedGrad = Nd4j.createUninitialized(type, x.shape());
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(x, gradOut).addOutputs(expectedGrad)
                .addIntegerArguments(args).build());
        INDArray grad = pool.backward(x, out, gradOut);
        assertEquals(expectedGrad, grad, "backward " + Arrays.toString(shape) + (channelsLast ? " NHWC" : " NCHW"));
        assertEquals(before, x, "the input is left as it was");
    }

    @Test
    void matchesLibnd4jForwardAndBackwardTiesIncluded() {
        check(DataType.FLOAT, 2, false, 6, 16, 24, 24);
        check(DataType.FLOAT, 2, false, 5, 32, 8, 8);
        check(DataType.DOUBLE, 3, false, 4, 3, 9, 12);
        check(DataType.FLOAT, 2, true, 6, 24, 24, 16);
        check(DataType.DOUBLE, 3, true, 4, 9, 6, 5);
    }

    @Test
    void windowsThatDoNotTileFallBackToLibnd4j() {
        // 25 is not a multiple of 2: DL4J's truncation drops the last row and column
        check(DataType.FLOAT, 2, false, 3, 4, 25, 25);
    }

    @Test
    void aViewIsPooledLikeItsCopy() {
        INDArray x = input(DataType.FLOAT, 3, 4, 8, 12, 12);
        INDArray view = x.permute(0, 1, 3, 2); // 'f'-like strides
        Stages.Pooling pool = new Stages.Pooling("max", new int[] {2, 2}, new int[] {2, 2}, new int[2],
                new int[] {1, 1}, false, 0, false, 0);
        assertEquals(pool.forward(view.dup('c')), pool.forward(view));
    }
}
