package dev.rampart.core.data;

import dev.rampart.core.model.Labels;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Minibatches of a {@link LabeledData} in a fresh seeded order every pass, as a DL4J
 * {@link DataSetIterator} with one-hot labels. Pass {@code k} (the {@code k}-th {@link #reset()},
 * counting from 0) uses the permutation drawn from {@code Seeds.derive(seed, k)}, so one seed gives
 * one sequence of batches.
 *
 * <pre>{@code
 * DataSetIterator it = new ShuffledBatches(FashionMnist.bundledTrain(), 64, 42);
 * net.fit(it, 5);
 * }</pre>
 */
public final class ShuffledBatches implements DataSetIterator {

    private final LabeledData data;
    private final int batchSize;
    private final long seed;
    private int pass = -1;
    private int[] order;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    /**
     * @throws IllegalArgumentException if {@code data} is null or {@code batchSize} is not positive
     */
    public ShuffledBatches(LabeledData data, int batchSize, long seed) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = Rows.all(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public void reset() {
        pass++;
        order = permutation(data.size(), Seeds.random(Seeds.derive(seed, pass)));
        cursor = 0;
    }

    @Override
    public boolean hasNext() {
        if (order == null) {
            reset();
        }
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException("pass " + pass + " is over; call reset()");
        }
        int to = Math.min(order.length, cursor + num);
        int[] idx = Arrays.copyOfRange(order, cursor, to);
        cursor = to;
        int[] all = data.labels();
        int[] y = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            y[k] = all[idx[k]];
        }
        DataSet ds = new DataSet(Rows.gather(data.features(), idx), Labels.oneHot(y, data.numClasses()));
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public int inputColumns() {
        return (int) (data.features().length() / Math.max(1, data.size()));
    }

    @Override
    public int totalOutcomes() {
        return data.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
