package dev.rampart.core.data;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A {@link DataSetIterator} that passes every batch of another through {@link #transform}, and
 * forwards everything else to it. Wrappers that check, filter or rewrite batches as they stream
 * into {@code net.fit} extend it. Never asynchronous: the transform runs on the training thread.
 *
 * <pre>{@code
 * class Logged extends ForwardingIterator {
 *     Logged(DataSetIterator source) { super(source); }
 *     protected DataSet transform(DataSet batch) { log(batch); return batch; }
 * }
 * }</pre>
 */
public abstract class ForwardingIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    /** The wrapped iterator. */
    protected final DataSetIterator source;

    protected ForwardingIterator(DataSetIterator source) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        this.source = source;
    }

    /** The batch to hand on in place of {@code batch}. */
    protected abstract DataSet transform(DataSet batch);

    /** Called on {@link #reset()} before the source resets. */
    protected void onReset() {
    }

    @Override
    public DataSet next() {
        return transform(source.next());
    }

    @Override
    public DataSet next(int num) {
        return transform(source.next(num));
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public int inputColumns() {
        return source.inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return source.totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return source.resetSupported();
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        onReset();
        source.reset();
    }

    @Override
    public int batch() {
        return source.batch();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        source.setPreProcessor(preProcessor);
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return source.getPreProcessor();
    }

    @Override
    public List<String> getLabels() {
        return source.getLabels();
    }

    @Override
    public void remove() {
        throw new UnsupportedOperationException("remove");
    }
}
