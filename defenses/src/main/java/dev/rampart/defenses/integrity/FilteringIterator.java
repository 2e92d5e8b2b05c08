package dev.rampart.defenses.integrity;

import dev.rampart.core.data.ForwardingIterator;
import dev.rampart.core.data.Rows;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Drops flagged examples (for example those a poison detector flagged) from a stream of batches
 * on its way into DL4J. Examples are identified by their position in a pass of the source, which
 * must therefore yield them in the order they were flagged in. A batch whose examples are all
 * dropped is skipped.
 *
 * <pre>{@code
 * boolean[] flagged = report.flagged();
 * net.fit(new FilteringIterator(trainIterator, flagged), 10);
 * }</pre>
 */
public final class FilteringIterator extends ForwardingIterator {

    private static final long serialVersionUID = 1L;
    private final boolean[] drop;
    private int position;
    private long dropped;

    /** @param drop per example position, whether to drop it */
    public FilteringIterator(DataSetIterator source, boolean[] drop) {
        super(source);
        if (drop == null) {
            throw new IllegalArgumentException("drop must not be null");
        }
        this.drop = drop.clone();
    }

    private transient DataSet pending;

    @Override
    public boolean hasNext() {
        while (pending == null && source.hasNext()) {
            pending = transform(source.next());
        }
        return pending != null;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException("no more examples");
        }
        DataSet d = pending;
        pending = null;
        return d;
    }

    @Override
    public DataSet next(int num) {
        return next();
    }

    @Override
    protected DataSet transform(DataSet batch) {
        int n = batch.numExamples();
        if (position + n > drop.length) {
            throw new IllegalStateException("the source yields more than the " + drop.length + " examples flags were"
                    + " given for");
        }
        boolean[] keep = new boolean[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            keep[i] = !drop[position + i];
            kept += keep[i] ? 1 : 0;
        }
        position += n;
        dropped += n - kept;
        if (kept == n) {
            return batch;
        }
        int[] idx = Rows.where(keep, true);
        if (idx.length == 0) {
            return null; // skipped
        }
        return new DataSet(Rows.gather(batch.getFeatures(), idx), Rows.gather(batch.getLabels(), idx));
    }

    @Override
    protected void onReset() {
        position = 0;
        pending = null;
    }

    /** Examples dropped since this iterator was made. */
    public long dropped() {
        return dropped;
    }
}
