package dev.rampart.defenses.poisoning;

import dev.rampart.core.io.IoErrors;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Principal directions of a set of rows: the covariance by ND4J, its decomposition by Commons
 * Math's SVD (a symmetric {@code d x d} matrix, with {@code d} a layer's width).
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
     *
     * @param what the rows' name, for the message
     * @throws IllegalArgumentException naming {@code what} if the decomposition fails
     */
    static INDArray components(INDArray centred, int k, String what) {
        try {
            return leading(centred, k);
        } catch (org.apache.commons.math3.exception.MathIllegalStateException
                | org.apache.commons.math3.exception.MathArithmeticException e) {
            throw new IllegalArgumentException("the activations of " + what + " (" + centred.size(0) + " examples of "
                    + centred.size(1) + " values) cannot be decomposed: " + IoErrors.reason(e), e);
        }
    }

    private static INDArray leading(INDArray centred, int k) {
        long m = centred.size(0);
        int d = (int) centred.size(1);
        double[][] cov = centred.transpose().mmul(centred).divi(Math.max(1, m - 1)).toDoubleMatrix();
        double scale = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                cov[i][j] = cov[j][i]; // exactly symmetric for the symmetric solver
            }
            for (int j = 0; j < d; j++) {
                scale = Math.max(scale, Math.abs(cov[i][j]));
            }
        }
        int kk = Math.min(k, d);
        INDArray out = Nd4j.create(DataType.DOUBLE, d, kk);
        if (scale == 0) {
            // identical rows: every direction is as good (and as empty) as another; the solver fails on a zero matrix
            for (int c = 0; c < kk; c++) {
                out.putScalar(c, c, 1);
            }
            return out;
        }
        for (double[] row : cov) {
            for (int j = 0; j < d; j++) {
                row[j] /= scale; // the same directions, better conditioned for the solver
            }
        }
        // the covariance is symmetric positive semi-definite: its left singular vectors, by decreasing
        // singular value, are its eigenvectors by decreasing eigenvalue; the SVD also converges on the
        // rank-deficient matrices of classes with fewer examples than dimensions, where Commons Math's
        // symmetric eigen-solver can fail
        RealMatrix u = new SingularValueDecomposition(new Array2DRowRealMatrix(cov, false)).getU();
        for (int c = 0; c < kk; c++) {
            out.getColumn(c).assign(Nd4j.createFromArray(u.getColumn(c)));
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
