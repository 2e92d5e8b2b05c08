package dev.rampart.core.model.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.onnx.OnnxOps.Op;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every ONNX operator's backward pass against central finite differences of its forward pass, in
 * double precision, with broadcasting, transposes and every axis form the translator uses. Inputs
 * are kept away from kinks (ReLU, clip, abs) so that the differences are exact to rounding.
 */
class OnnxOpsGradientTest {

    private final Random random = new Random(24);

    /** Values uniform in [lo, hi] that are at least {@code gap} away from every point of {@code kinks}. */
    private INDArray away(double lo, double hi, double gap, double[] kinks, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            double v;
            boolean near;
            do {
                v = lo + (hi - lo) * random.nextDouble();
                near = false;
                for (double k : kinks) {
                    near |= Math.abs(v - k) < gap;
                }
            } while (near);
            a.putScalar(i, v);
        }
        return a;
    }

    private INDArray any(long... shape) {
        return away(-2, 2, 0.05, new double[] {0}, shape);
    }

    /** Checks the gradient of {@code sum(op(in) * r)} for every input marked in {@code wanted}. */
    private void check(String what, Op op, INDArray[] in, boolean... wanted) {
        INDArray out = op.forward(in);
        INDArray r = Nd4j.rand(DataType.DOUBLE, out.shape()).subi(0.5);
        INDArray[] g = op.backward(in, out, r.dup(), wanted);
        double h = 1e-6;
        for (int k = 0; k < in.length; k++) {
            if (!wanted[k]) {
                continue;
            }
            assertArrayEquals(in[k].shape(), g[k].shape(), what + ": gradient shape of input " + k);
            for (long i = 0; i < in[k].length(); i++) {
                INDArray[] plus = copies(in);
                INDArray[] minus = copies(in);
                plus[k].putScalar(i, in[k].getDouble(i) + h);
                minus[k].putScalar(i, in[k].getDouble(i) - h);
                double numeric = (op.forward(plus).mul(r).sumNumber().doubleValue()
                        - op.forward(minus).mul(r).sumNumber().doubleValue()) / (2 * h);
                double analytic = g[k].getDouble(i);
                assertTrue(Math.abs(numeric - analytic) <= 1e-6 * (1 + Math.abs(numeric)),
                        what + ": input " + k + " element " + i + ": " + analytic + " against " + numeric);
            }
        }
    }

    private static INDArray[] copies(INDArray[] in) {
        INDArray[] c = new INDArray[in.length];
        for (int k = 0; k < in.length; k++) {
            c[k] = in[k] == null ? null : in[k].dup();
        }
        return c;
    }

    @Test
    void elementWiseActivations() {
        check("leaky relu", OnnxOps.leakyRelu(0.1), new INDArray[] {any(2, 3, 4)}, true);
        check("sigmoid", OnnxOps.SIGMOID, new INDArray[] {any(2, 5)}, true);
        check("tanh", OnnxOps.TANH, new INDArray[] {any(2, 5)}, true);
        check("exp", OnnxOps.EXP, new INDArray[] {any(2, 5)}, true);
        check("log", OnnxOps.LOG, new INDArray[] {away(0.2, 3, 0, new double[0], 2, 5)}, true);
        check("sqrt", OnnxOps.SQRT, new INDArray[] {away(0.2, 3, 0, new double[0], 2, 5)}, true);
        check("neg", OnnxOps.NEG, new INDArray[] {any(2, 5)}, true);
        check("abs", OnnxOps.ABS, new INDArray[] {any(2, 5)}, true);
        check("reciprocal", OnnxOps.RECIPROCAL, new INDArray[] {any(2, 5)}, true);
        check("clip", OnnxOps.clip(-1, 1.5), new INDArray[] {away(-2, 2, 0.05, new double[] {-1, 1.5}, 3, 4)}, true);
        check("prelu per channel", OnnxOps.PRELU, new INDArray[] {any(2, 3, 4, 5), any(3)}, true, true);
        check("prelu broadcast", OnnxOps.PRELU, new INDArray[] {any(2, 3, 4), any(3, 1)}, true, true);
    }

    @Test
    void softmaxAndLogSoftmaxOnEveryAxisForm() {
        check("softmax last", OnnxOps.softmax(-1, false, false), new INDArray[] {any(3, 4)}, true);
        check("softmax axis 1 of rank 3", OnnxOps.softmax(1, false, false), new INDArray[] {any(2, 3, 4)}, true);
        check("softmax coerced", OnnxOps.softmax(1, true, false), new INDArray[] {any(2, 3, 2, 2)}, true);
        check("log-softmax last", OnnxOps.softmax(-1, false, true), new INDArray[] {any(3, 4)}, true);
        check("log-softmax coerced", OnnxOps.softmax(2, true, true), new INDArray[] {any(2, 3, 2, 2)}, true);
    }

    @Test
    void broadcastingArithmetic() {
        for (String op : new String[] {"Add", "Sub", "Mul", "Div"}) {
            INDArray b = op.equals("Div") ? away(0.5, 2, 0, new double[0], 3, 1) : any(3, 1);
            check(op + " [2,3,4] by [3,1]", OnnxOps.arithmetic(op, -1), new INDArray[] {any(2, 3, 4), b}, true, true);
            INDArray c = op.equals("Div") ? away(0.5, 2, 0, new double[0], 4) : any(4);
            check(op + " [2,3,4] by [4]", OnnxOps.arithmetic(op, -1), new INDArray[] {any(2, 3, 4), c}, true, true);
            check(op + " legacy axis 1", OnnxOps.arithmetic(op, 1), new INDArray[] {any(2, 3, 4),
                op.equals("Div") ? away(0.5, 2, 0, new double[0], 3) : any(3)}, true, true);
        }
        check("sum", OnnxOps.SUM, new INDArray[] {any(2, 3), any(3), any(2, 1)}, true, true, true);
    }

    @Test
    void productsWithEveryTranspose() {
        check("matmul 2-D", OnnxOps.MATMUL, new INDArray[] {any(3, 4), any(4, 5)}, true, true);
        check("matmul 3-D by 2-D", OnnxOps.MATMUL, new INDArray[] {any(2, 3, 4), any(4, 5)}, true, true);
        check("matmul batched", OnnxOps.MATMUL, new INDArray[] {any(2, 3, 4), any(2, 4, 5)}, true, true);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                INDArray a = ta ? any(4, 3) : any(3, 4);
                INDArray b = tb ? any(5, 4) : any(4, 5);
                check("gemm " + ta + " " + tb, OnnxOps.gemm(0.7, 1.3, ta, tb), new INDArray[] {a, b, any(5)},
                        true, true, true);
            }
        }
    }

    @Test
    void layoutShapesAndReductions() {
        check("transpose", OnnxOps.transpose(new long[] {0, 2, 3, 1}), new INDArray[] {any(2, 3, 2, 4)}, true);
        check("transpose reversed", OnnxOps.transpose(null), new INDArray[] {any(2, 3, 4)}, true);
        check("concat", OnnxOps.concat(1), new INDArray[] {any(2, 3, 2), any(2, 1, 2)}, true, true);
        check("pad", OnnxOps.pad(new long[] {0, 0, 1, 2}, new long[] {0, 0, 2, 0}, 0.5),
                new INDArray[] {any(2, 2, 3, 3)}, true);
        check("flatten", OnnxOps.reshape(in -> OnnxOps.flattenShape(in[0].shape(), 2)),
                new INDArray[] {any(2, 3, 2, 2)}, true);
        check("gather 2-D indices", OnnxOps.gather(1),
                new INDArray[] {any(2, 4, 3), Nd4j.createFromArray(new long[][] {{0, 3}, {3, -1}})}, true, false);
        check("slice", OnnxOps.slice(in -> new org.nd4j.linalg.indexing.INDArrayIndex[] {
            org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2, 6)}),
                new INDArray[] {any(2, 6)}, true);
        check("reduce mean", OnnxOps.reduce(true, new long[] {1, -1}, false), new INDArray[] {any(2, 3, 4)}, true);
        check("reduce sum keepdims", OnnxOps.reduce(false, null, true), new INDArray[] {any(2, 3)}, true);
        check("global average", OnnxOps.GLOBAL_AVERAGE, new INDArray[] {any(2, 3, 3, 2)}, true);
    }
}
