package dev.rampart.defenses.federated;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The checks every aggregator runs on a round, and the updates as one matrix. */
final class Updates {

    private Updates() {
    }

    /**
     * The updates as a {@code [clients, parameters]} double matrix, after checking them.
     *
     * @throws IllegalArgumentException naming the first bad update or weight
     */
    static INDArray matrix(Aggregator.Round round, int minimum) {
        if (round == null || round.updates() == null || round.updates().isEmpty()) {
            throw new IllegalArgumentException("a round needs at least one update");
        }
        List<INDArray> u = round.updates();
        if (u.size() < minimum) {
            throw new IllegalArgumentException("this rule needs at least " + minimum + " updates, found " + u.size());
        }
        if (round.weights() == null || round.weights().length != u.size()) {
            throw new IllegalArgumentException("weights must hold one weight per update (" + u.size() + ")");
        }
        long length = -1;
        double[][] rows = new double[u.size()][];
        for (int i = 0; i < u.size(); i++) {
            INDArray x = u.get(i);
            if (x == null) {
                throw new IllegalArgumentException("the update of client " + i + " is null");
            }
            if (length < 0) {
                length = x.length();
            } else if (x.length() != length) {
                throw new IllegalArgumentException("the update of client " + i + " has " + x.length()
                        + " values, the first has " + length);
            }
            rows[i] = x.reshape(x.length()).castTo(DataType.DOUBLE).toDoubleVector();
            for (double v : rows[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("the update of client " + i + " holds " + v
                            + ": it is rejected, not averaged in");
                }
            }
            double w = round.weights()[i];
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("weights[" + i + "] must be positive and finite, found " + w);
            }
        }
        return Nd4j.createFromArray(rows);
    }

    /** The result in the first update's data type and shape. */
    static INDArray like(Aggregator.Round round, INDArray flat) {
        INDArray first = round.updates().get(0);
        return flat.reshape(first.shape()).castTo(first.dataType());
    }

    /** {@code 0, 1, ..., n - 1}. */
    static int[] all(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }
}
