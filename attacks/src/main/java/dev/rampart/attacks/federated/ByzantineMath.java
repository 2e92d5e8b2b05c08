package dev.rampart.attacks.federated;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The checks and statistics the update attacks share. */
final class ByzantineMath {

    private ByzantineMath() {
    }

    /** The honest updates as a {@code [clients, parameters]} double matrix, after the checks. */
    static INDArray honest(List<INDArray> honest, int malicious, int clients) {
        if (honest == null || honest.isEmpty()) {
            throw new IllegalArgumentException("honest must hold at least one update");
        }
        if (malicious < 0) {
            throw new IllegalArgumentException("malicious must not be negative, found " + malicious);
        }
        if (clients < honest.size() + malicious) {
            throw new IllegalArgumentException("clients (" + clients + ") must count the " + honest.size()
                    + " honest and " + malicious + " malicious ones");
        }
        long length = honest.get(0).length();
        double[][] rows = new double[honest.size()][];
        for (int i = 0; i < rows.length; i++) {
            INDArray u = honest.get(i);
            if (u == null || u.length() != length) {
                throw new IllegalArgumentException("honest update " + i + " is " + (u == null ? "null"
                        : "of length " + u.length() + ", the first " + length));
            }
            rows[i] = u.reshape(length).castTo(DataType.DOUBLE).toDoubleVector();
        }
        return Nd4j.createFromArray(rows);
    }

    /** {@code count} copies of {@code u} in the first honest update's shape and type. */
    static List<INDArray> copies(INDArray u, int count, List<INDArray> honest) {
        INDArray first = honest.get(0);
        INDArray out = u.reshape(first.shape()).castTo(first.dataType());
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> out.dup()).toList();
    }
}
