package dev.rampart.core.data;

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
public record LabeledData(String name, INDArray features, int[] labels, int numClasses) {

    /**
     * @throws IllegalArgumentException if the counts differ or a label is out of range
     */
    public LabeledData {
        if (features == null || labels == null) {
            throw new IllegalArgumentException("features and labels must not be null");
        }
        if (features.size(0) != labels.length) {
            throw new IllegalArgumentException("features has " + features.size(0) + " examples but labels has "
                    + labels.length);
        }
        Labels.checkRange(labels, numClasses, "labels");
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
}
