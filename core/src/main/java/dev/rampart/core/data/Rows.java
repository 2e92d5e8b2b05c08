package dev.rampart.core.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gathering and scattering examples (rows of the first dimension) of batch arrays of any rank.
 *
 * <pre>{@code
 * INDArray some = Rows.gather(x, new int[] {0, 5, 7});   // [3, ...], a copy
 * Rows.scatter(x, new int[] {0, 5, 7}, some);            // writes them back, in place
 * }</pre>
 */
public final class Rows {

    private Rows() {
    }

    /** A new array holding examples {@code idx} of {@code x}, in that order. */
    public static INDArray gather(INDArray x, int[] idx) {
        long[] shape = x.shape().clone();
        shape[0] = idx.length;
        return Nd4j.pullRows(x.reshape('c', x.size(0), -1), 1, idx).reshape('c', shape);
    }

    /**
     * Writes example {@code k} of {@code values} into row {@code idx[k]} of {@code target}, in place.
     *
     * @throws IllegalArgumentException if {@code target} is not C-ordered and contiguous (then
     *     writing through a reshape of it would not reach it), an index is outside its rows, or
     *     {@code values} does not hold one row of the same size per index
     */
    public static void scatter(INDArray target, int[] idx, INDArray values) {
        if (!contiguous(target)) {
            throw new IllegalArgumentException("target must be a C-ordered contiguous array");
        }
        if (idx.length == 0 && values.size(0) == 0) {
            return;
        }
        if (values.size(0) != idx.length || values.length() / values.size(0) != target.length() / target.size(0)) {
            throw new IllegalArgumentException("values " + java.util.Arrays.toString(values.shape()) + " do not fit "
                    + idx.length + " rows of " + java.util.Arrays.toString(target.shape()));
        }
        for (int i : idx) {
            if (i < 0 || i >= target.size(0)) {
                throw new IllegalArgumentException("row index " + i + " is outside [0, " + target.size(0) + ")");
            }
        }
        INDArray flat = target.reshape('c', target.size(0), -1);
        INDArray src = values.reshape('c', values.size(0), -1).castTo(target.dataType());
        // one native operation for all rows (a putRow per row costs a native call each: 20-30x slower)
        Nd4j.exec(DynamicCustomOp.builder("scatter_upd").addInputs(flat, Nd4j.createFromArray(idx), src)
                .addOutputs(flat).build());
    }

    /** Whether {@code a}'s elements are one dense block in C order (a reshape of it shares its data). */
    private static boolean contiguous(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The indices {@code i} with {@code flags[i] == value}, ascending. */
    public static int[] where(boolean[] flags, boolean value) {
        int[] out = new int[flags.length];
        int c = 0;
        for (int i = 0; i < flags.length; i++) {
            if (flags[i] == value) {
                out[c++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, c);
    }

    /** {@code values[idx[0]], values[idx[1]], ...}. */
    public static int[] pick(int[] values, int[] idx) {
        int[] out = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = values[idx[k]];
        }
        return out;
    }

    /** {@code values[idx[0]], values[idx[1]], ...}. */
    public static double[] pick(double[] values, int[] idx) {
        double[] out = new double[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = values[idx[k]];
        }
        return out;
    }

    /** Multiplies example {@code i} of {@code a} by {@code s[i]}, in place; returns {@code a}. */
    public static INDArray scaleInPlace(INDArray a, double[] s) {
        INDArray col = Nd4j.createFromArray(s).castTo(a.dataType()).reshape(-1, 1);
        a.reshape(a.size(0), -1).muliColumnVector(col);
        return a;
    }

    /** {@code 0, 1, ..., n-1}. */
    public static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
