package dev.rampart.defenses.poisoning;

import java.util.Arrays;
import java.util.Comparator;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Principal directions of a set of rows: the covariance by ND4J, its eigen-decomposition by
 * Commons Math (a symmetric {@code d x d} matrix, with {@code d} a layer's width).
 */
final class Pca {

    private Pca() {
    }

    /** The rows of {@code x} minus their mean (a new array). */
    static INDArray centred(INDArray x) {
        return x.subRowVector(x.mean(0));
    }

    /**
     * The {@code k} leading principal directions of centred rows, as the columns of a
     * {@code [d, k]} array (fewer if {@code d < k}).
     */
    static INDArray components(INDArray centred, int k) {
        long m = centred.size(0);
        int d = (int) centred.size(1);
        double[][] cov = centred.transpose().mmul(centred).divi(Math.max(1, m - 1)).toDoubleMatrix();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                cov[i][j] = cov[j][i]; // exactly symmetric for the symmetric solver
            }
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> -values[i]));
        int kk = Math.min(k, d);
        INDArray out = Nd4j.create(DataType.DOUBLE, d, kk);
        for (int c = 0; c < kk; c++) {
            out.getColumn(c).assign(Nd4j.createFromArray(eig.getEigenvector(order[c]).toArray()));
        }
        return out;
    }

    /** Indices of the examples of each class. */
    static int[][] byClass(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int y : labels) {
            counts[y]++;
        }
        int[][] out = new int[classes][];
        for (int c = 0; c < classes; c++) {
            out[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i = 0; i < labels.length; i++) {
            out[labels[i]][counts[labels[i]]++] = i;
        }
        return out;
    }
}
