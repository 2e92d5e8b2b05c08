package dev.rampart.defenses.integrity;

import dev.rampart.core.data.ForwardingIterator;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Verifies a {@link DatasetManifest} while data streams into DL4J: every example of every batch
 * must be the recorded example at its position (features and label), and a pass must end after
 * exactly the recorded number of examples. The first difference stops training with an
 * {@link IntegrityException} naming the example's index; nothing unverified reaches the network.
 * The source must yield the examples in the recorded order (no shuffling), one-hot labelled.
 *
 * <pre>{@code
 * net.fit(new VerifyingIterator(trainIterator, DatasetManifest.read(Path.of("train.manifest"))), 10);
 * }</pre>
 */
public final class VerifyingIterator extends ForwardingIterator {

    private static final long serialVersionUID = 1L;
    private final transient DatasetManifest manifest;
    private int position;

    public VerifyingIterator(DataSetIterator source, DatasetManifest manifest) {
        super(source);
        if (manifest == null) {
            throw new IllegalArgumentException("manifest must not be null");
        }
        this.manifest = manifest;
    }

    @Override
    protected DataSet transform(DataSet batch) {
        String subject = "stream checked against manifest '" + manifest.name() + "'";
        int n = batch.numExamples();
        if (position + n > manifest.size()) {
            throw new IntegrityException(subject, "example " + manifest.size() + " is one more than the "
                    + manifest.size() + " recorded");
        }
        byte[][] f = DatasetManifest.featureDigests(batch.getFeatures());
        double[][] labels = batch.getLabels().castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < n; i++) {
            int at = position + i;
            if (!Arrays.equals(f[i], manifest.featuresDigest(at))) {
                throw new IntegrityException(subject, "example " + at + " has features that differ from the record");
            }
            int label = oneHot(labels[i]);
            if (label != manifest.label(at)) {
                throw new IntegrityException(subject, "example " + at + " is labelled "
                        + (label < 0 ? "with a row that is not one-hot" : String.valueOf(label)) + " but was recorded as "
                        + manifest.label(at));
            }
        }
        position += n;
        if (!source.hasNext() && position != manifest.size()) {
            throw new IntegrityException(subject, "ended after " + position + " of the " + manifest.size()
                    + " recorded examples");
        }
        return batch;
    }

    private static int oneHot(double[] row) {
        int k = -1;
        for (int c = 0; c < row.length; c++) {
            if (row[c] == 1 && k < 0) {
                k = c;
            } else if (row[c] != 0) {
                return -1;
            }
        }
        return k;
    }

    @Override
    protected void onReset() {
        position = 0;
    }

    /** Examples verified in this pass. */
    public int verified() {
        return position;
    }
}
