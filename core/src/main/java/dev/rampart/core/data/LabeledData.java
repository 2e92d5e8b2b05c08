package dev.rampart.core.data;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Labels;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A labeled dataset in memory: features as one float array whose first dimension is the example,
 * and integer class labels.
 *
 * <pre>{@code
 * LabeledData test = FashionMnist.bundledTest();
 * LabeledData first500 = test.head(500);
 * INDArray x = first500.features();     // [500, 1, 28, 28], values in [0, 1]
 * }</pre>
 *
 * @param name where the data came from, for reports
 * @param features {@code [n, ...]}
 * @param labels {@code n} class indices
 * @param numClasses number of classes
 */
public record LabeledData(String name, INDArray features, int[] labels, int numClasses) implements java.io.Serializable {

    /**
     * Checks the data and keeps {@code features} as given, or a dense copy of it if it is a view
     * of a larger array or not in C order (the caller's array is never modified).
     *
     * @throws IllegalArgumentException naming the data set: no examples, counts that differ, a
     *     label out of range, features that are not floating-point or hold a NaN or an infinite
     *     value
     */
    public LabeledData {
        String what = name == null ? "the data" : name;
        if (features == null || labels == null) {
            throw new IllegalArgumentException("features and labels of " + what + " must not be null");
        }
        if (features.rank() < 2) {
            throw new IllegalArgumentException("features of " + what + " must be [n, ...] with one row per example,"
                    + " found shape " + Arrays.toString(features.shape()));
        }
        if (features.size(0) != labels.length) {
            throw new IllegalArgumentException("features of " + what + " has " + features.size(0)
                    + " examples but labels has " + labels.length);
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException(what + " holds no examples");
        }
        if (!features.dataType().isFPType()) {
            throw new IllegalArgumentException("features of " + what + " must be floating-point, found "
                    + features.dataType());
        }
        Labels.checkRange(labels, numClasses, "labels of " + what);
        Check.finite(features, "features of " + what);
        if (features.isView() || features.ordering() != 'c') {
            features = features.dup('c');
        }
        labels = labels.clone();
    }

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** Shape of one example. */
    public long[] exampleShape() {
        return Arrays.copyOfRange(features.shape(), 1, features.rank());
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** The first {@code n} examples (all of them if fewer). */
    public LabeledData head(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, found " + n);
        }
        return slice(0, Math.min(n, size()));
    }

    /** Examples {@code from} (inclusive) to {@code to} (exclusive). */
    public LabeledData slice(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") is not inside [0, " + size() + ")");
        }
        INDArray f = features.get(NDArrayIndex.interval(from, to)).dup();
        return new LabeledData(name, f, Arrays.copyOfRange(labels, from, to), numClasses);
    }

    /**
     * The examples at {@code idx}, in that order, as a data set called {@code name}.
     *
     * @throws IllegalArgumentException if an index is outside the data
     */
    public LabeledData rows(int[] idx, String name) {
        for (int i : idx) {
            if (i < 0 || i >= size()) {
                throw new IllegalArgumentException("row " + i + " is not inside [0, " + size() + ")");
            }
        }
        return new LabeledData(name, Rows.gather(features, idx), Rows.pick(labels, idx), numClasses);
    }

    /**
     * Reads a whole {@link org.nd4j.linalg.dataset.api.iterator.DataSetIterator} into memory (reset
     * first if it supports it), for algorithms that need random access to every example, such as
     * DP-SGD's Poisson sampling. Labels must be one-hot rows.
     *
     * @throws IllegalArgumentException naming the batch and example whose label row is not
     *     one-hot, whose shape differs from the first batch's, or that carries a mask; or if the
     *     iterator is empty
     */
    public static LabeledData of(org.nd4j.linalg.dataset.api.iterator.DataSetIterator iterator, String name) {
        if (iterator == null) {
            throw new IllegalArgumentException("iterator must not be null");
        }
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        java.util.List<INDArray> parts = new java.util.ArrayList<>();
        java.util.List<int[]> labelParts = new java.util.ArrayList<>();
        long[] shape = null;
        int classes = -1;
        int batch = 0;
        while (iterator.hasNext()) {
            org.nd4j.linalg.dataset.api.DataSet d = iterator.next();
            if (d.getFeaturesMaskArray() != null || d.getLabelsMaskArray() != null) {
                throw new IllegalArgumentException("batch " + batch + " of " + name + " has a mask: only unmasked"
                        + " examples are supported");
            }
            INDArray f = d.getFeatures();
            INDArray l = d.getLabels();
            if (f == null || l == null || l.rank() != 2 || f.size(0) != l.size(0)) {
                throw new IllegalArgumentException("batch " + batch + " of " + name + " needs features and a [n, classes]"
                        + " label matrix with as many rows");
            }
            long[] s = Arrays.copyOfRange(f.shape(), 1, f.rank());
            if (shape == null) {
                shape = s;
                classes = (int) l.size(1);
            } else if (!Arrays.equals(shape, s) || l.size(1) != classes) {
                throw new IllegalArgumentException("batch " + batch + " of " + name + " has example shape "
                        + Arrays.toString(s) + " and " + l.size(1) + " classes, but the first batch had "
                        + Arrays.toString(shape) + " and " + classes);
            }
            double[][] rows = l.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
            int[] y = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                y[i] = -1;
                for (int c = 0; c < rows[i].length; c++) {
                    if (rows[i][c] == 1 && y[i] < 0) {
                        y[i] = c;
                    } else if (rows[i][c] != 0) {
                        y[i] = -2;
                        break;
                    }
                }
                if (y[i] < 0) {
                    throw new IllegalArgumentException("example " + i + " of batch " + batch + " of " + name
                            + " has a label row that is not one-hot: " + Arrays.toString(rows[i]));
                }
            }
            parts.add(f.dup());
            labelParts.add(y);
            batch++;
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(name + ": the iterator has no examples");
        }
        INDArray features = parts.size() == 1 ? parts.get(0) : org.nd4j.linalg.factory.Nd4j.concat(0,
                parts.toArray(new INDArray[0]));
        int[] labels = labelParts.stream().flatMapToInt(Arrays::stream).toArray();
        return new LabeledData(name, features, labels, classes);
    }
}
