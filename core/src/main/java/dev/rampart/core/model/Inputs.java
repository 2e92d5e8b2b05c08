package dev.rampart.core.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks of user-supplied input batches, shared by adapters and attacks, so that bad input fails
 * with a message naming the parameter instead of a native error or a wrong number.
 */
public final class Inputs {

    private Inputs() {
    }

    /**
     * Checks that {@code x} is a non-empty batch of the model's input shape.
     *
     * @param name parameter name for the message
     * @throws IllegalArgumentException if {@code x} is null, empty or of another shape
     */
    public static void checkBatch(Classifier model, INDArray x, String name) {
        if (x == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        long[] expected = model.inputShape();
        long[] shape = x.shape();
        boolean ok = shape.length == expected.length + 1;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = shape[i + 1] == expected[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(name + " must have shape [n, " + joined(expected) + "], found "
                    + Arrays.toString(shape));
        }
        if (shape[0] == 0) {
            throw new IllegalArgumentException(name + " is an empty batch (shape " + Arrays.toString(shape) + ")");
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException(name + " must be a floating-point array, found " + x.dataType());
        }
    }

    /**
     * Checks that every value of {@code x} is finite and inside {@code domain}.
     *
     * @throws IllegalArgumentException naming the first offending value and where it is
     */
    public static void checkFiniteInDomain(INDArray x, InputDomain domain, String name) {
        INDArray flat = x.reshape(x.length());
        long nan = flat.isNaN().castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
        long inf = flat.isInfinite().castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
        if (nan + inf > 0) {
            throw new IllegalArgumentException(name + " contains " + nan + " NaN and " + inf + " infinite values");
        }
        double min = flat.minNumber().doubleValue();
        double max = flat.maxNumber().doubleValue();
        if (min < domain.min() || max > domain.max()) {
            throw new IllegalArgumentException(name + " has values in [" + min + ", " + max
                    + "], outside the model's input domain " + domain);
        }
    }

    /**
     * Checks that a label array matches the batch size.
     *
     * @throws IllegalArgumentException if the counts differ or a label is not a class
     */
    public static void checkLabels(int[] labels, long batchSize, int numClasses, String name) {
        if (labels == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (labels.length != batchSize) {
            throw new IllegalArgumentException(name + " has " + labels.length + " entries but the batch has "
                    + batchSize + " examples");
        }
        Labels.checkRange(labels, numClasses, name);
    }

    /**
     * Checks a one-hot (or probability) label matrix against a batch.
     *
     * @throws IllegalArgumentException if its shape is not {@code [batchSize, numClasses]}
     */
    public static void checkLabelMatrix(INDArray labels, long batchSize, int numClasses, String name) {
        if (labels == null || labels.rank() != 2 || labels.size(0) != batchSize || labels.size(1) != numClasses) {
            throw new IllegalArgumentException(name + " must have shape [" + batchSize + ", " + numClasses
                    + "], found " + (labels == null ? "null" : Arrays.toString(labels.shape())));
        }
    }

    private static String joined(long[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return sb.toString();
    }
}
