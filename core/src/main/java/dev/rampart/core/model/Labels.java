package dev.rampart.core.model;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Conversions between class indices and one-hot label matrices.
 *
 * <pre>{@code
 * INDArray oneHot = Labels.oneHot(new int[] {3, 0}, 10);   // [2, 10]
 * int[] predicted = Labels.argmax(model.predictProbabilities(x));
 * }</pre>
 */
public final class Labels {

    private Labels() {
    }

    /**
     * A float one-hot matrix {@code [labels.length, numClasses]}.
     *
     * @throws IllegalArgumentException if a label is outside {@code [0, numClasses)}
     */
    public static INDArray oneHot(int[] labels, int numClasses) {
        checkRange(labels, numClasses, "labels");
        float[][] rows = new float[labels.length][numClasses];
        for (int i = 0; i < labels.length; i++) {
            rows[i][labels[i]] = 1f;
        }
        return labels.length == 0 ? Nd4j.create(DataType.FLOAT, 0, numClasses) : Nd4j.create(rows);
    }

    /** The index of the largest value of each row of a {@code [n, k]} matrix. */
    public static int[] argmax(INDArray scores) {
        if (scores.rank() != 2) {
            throw new IllegalArgumentException("argmax needs a [n, classes] matrix, found shape "
                    + Arrays.toString(scores.shape()));
        }
        if (scores.size(0) == 0) {
            return new int[0];
        }
        return scores.argMax(1).toIntVector();
    }

    /**
     * Checks that every label is a valid class index.
     *
     * @param name the parameter name used in the exception message
     * @throws IllegalArgumentException naming {@code name}, the position and the value
     */
    public static void checkRange(int[] labels, int numClasses, String name) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, found " + numClasses);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(name + "[" + i + "] must be in [0, " + numClasses
                        + "), found " + labels[i]);
            }
        }
    }
}
