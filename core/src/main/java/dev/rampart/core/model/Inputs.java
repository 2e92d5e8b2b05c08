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
     * Checks {@code x} as a batch of the model's inputs ({@link #checkBatch}) and returns it as a
     * dense C-ordered array of the model's data type: {@code x} itself when it is one, otherwise a
     * copy (another floating-point type, a view of rows of a larger array, another ordering), so
     * that every entry point takes views and the caller's array is never modified.
     *
     * @return {@code x}, or a converted copy
     */
    public static INDArray asType(Classifier model, INDArray x, String name) {
        checkBatch(model, x, name);
        INDArray out = x.dataType() == model.dataType() ? x : x.castTo(model.dataType());
        return dense(out);
    }

    /** {@code x} itself if it is a dense C-ordered array that is not a view, else a dense copy. */
    public static INDArray dense(INDArray x) {
        return x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
    }

    /**
     * Checks a labelled data set against the model it is used with: its examples have the model's
     * input shape, its values lie in the model's domain (a {@link dev.rampart.core.data.LabeledData}
     * is finite and non-empty by construction) and it has the model's number of classes.
     *
     * @param name the parameter name, for the messages
     * @return the features as a dense array of the model's data type (a copy only where needed)
     * @throws IllegalArgumentException naming the parameter and what does not fit
     */
    public static INDArray checkData(Classifier model, dev.rampart.core.data.LabeledData data, String name) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (data == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (data.numClasses() != model.numClasses()) {
            throw new IllegalArgumentException(name + " (" + data.name() + ") has " + data.numClasses()
                    + " classes but the model has " + model.numClasses());
        }
        INDArray x = asType(model, data.features(), name + " features");
        checkFiniteInDomain(x, model.domain(), name + " features");
        return x;
    }

    /**
     * Checks that every value of {@code x} is finite and inside {@code domain}: three reductions
     * on the common path; the counts of bad values are computed only when there are some.
     *
     * @throws IllegalArgumentException naming the parameter and what is wrong
     */
    public static void checkFiniteInDomain(INDArray x, InputDomain domain, String name) {
        double sum = x.sumNumber().doubleValue();
        if (!Double.isFinite(sum)) {
            INDArray flat = x.reshape(x.length());
            long nan = flat.isNaN().castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
            long inf = flat.isInfinite().castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
            if (nan + inf > 0) {
                throw new IllegalArgumentException(name + " contains " + nan + " NaN and " + inf + " infinite values");
            }
        }
        double min = x.minNumber().doubleValue();
        double max = x.maxNumber().doubleValue();
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

    /**
     * Checks label rows: shape {@code [batchSize, numClasses]}, every value finite and
     * non-negative, every row summing to 1 (one-hot or a probability distribution).
     *
     * @throws IllegalArgumentException naming the parameter, and the first bad row
     */
    public static void checkLabelRows(INDArray labels, long batchSize, int numClasses, String name) {
        checkLabelRows(labels, batchSize, numClasses, name, false);
    }

    /**
     * Checks label rows as {@link #checkLabelRows(INDArray, long, int, String)} does, but with
     * negative entries allowed if {@code signed}: the targets of a softmax cross-entropy training
     * step whose logit gradient is {@code p - t} for any rows {@code t} summing to 1 (TRADES uses
     * them; see {@link TrainableModel#softmaxCrossEntropyOutput()}).
     */
    public static void checkLabelRows(INDArray labels, long batchSize, int numClasses, String name, boolean signed) {
        checkLabelMatrix(labels, batchSize, numClasses, name);
        double[][] rows = labels.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (int k = 0; k < rows[i].length; k++) {
                double v = rows[i][k];
                if (!Double.isFinite(v) || (v < 0 && !signed)) {
                    throw new IllegalArgumentException(name + "[" + i + ", " + k + "] is " + v + ": label rows must be "
                            + (signed ? "finite and sum to 1" : "one-hot or probabilities (finite, >= 0, summing to 1)"));
                }
                sum += v;
            }
            if (Math.abs(sum - 1) > AbstractGradientClassifier.LABEL_SUM_TOLERANCE) {
                throw new IllegalArgumentException(name + " row " + i + " sums to " + sum + ": label rows must "
                        + (signed ? "sum to 1" : "be one-hot or probabilities (summing to 1)"));
            }
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
