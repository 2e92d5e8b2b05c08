package dev.rampart.attacks.evasion;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Gathering and scattering examples (rows of the first dimension) of batch arrays. */
final class Rows {

    private Rows() {
    }

    /** A new array holding examples {@code idx} of {@code x}, in that order. */
    static INDArray gather(INDArray x, int[] idx) {
        long[] shape = x.shape().clone();
        INDArray flat = x.reshape('c', x.size(0), -1);
        shape[0] = idx.length;
        return Nd4j.pullRows(flat, 1, idx).reshape('c', shape);
    }

    /** Writes the examples of {@code values} into rows {@code idx} of {@code target}, in place. */
    static void scatter(INDArray target, int[] idx, INDArray values) {
        INDArray flat = target.reshape('c', target.size(0), -1);
        if (flat.data() != target.data() && !flat.isView()) {
            throw new IllegalStateException("target must be c-contiguous");
        }
        INDArray src = values.reshape('c', values.size(0), -1);
        for (int k = 0; k < idx.length; k++) {
            flat.putRow(idx[k], src.getRow(k));
        }
    }

    /** {@code 0, 1, ..., n-1}. */
    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
