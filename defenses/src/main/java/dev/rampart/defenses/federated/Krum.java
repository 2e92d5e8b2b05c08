package dev.rampart.defenses.federated;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Krum and Multi-Krum (Blanchard, El Mhamdi, Guerraoui &amp; Stainer, NeurIPS 2017): each update is
 * scored by the sum of its squared distances to its {@code n - f - 2} nearest other updates, and
 * the {@code m} lowest-scoring ones are averaged ({@code m = 1}: Krum, which returns one client's
 * update). Sound while {@code n > 2f + 2}; a round too small for {@code f} is refused.
 *
 * <pre>{@code
 * Aggregator krum = new Krum(2, 1);         // tolerates 2 malicious clients
 * Aggregator multiKrum = new Krum(2, 5);    // averages the 5 best-scored updates
 * }</pre>
 */
public final class Krum implements Aggregator {

    private final int f;
    private final int m;

    /**
     * @param f the number of malicious clients tolerated, at least 0
     * @param m the number of updates averaged, at least 1
     */
    public Krum(int f, int m) {
        if (f < 0) {
            throw new IllegalArgumentException("f must not be negative, found " + f);
        }
        if (m < 1) {
            throw new IllegalArgumentException("m must be at least 1, found " + m);
        }
        this.f = f;
        this.m = m;
    }

    @Override
    public Result aggregate(Round round) {
        INDArray u = Updates.matrix(round, 1);
        int n = (int) u.size(0);
        checkClients(n, f, m);
        int[] chosen = select(u, Updates.all(n), f, m);
        return new Result(Updates.like(round, u.getRows(chosen).mean(0)), sorted(chosen));
    }

    static void checkClients(int n, int f, int m) {
        if (n <= 2 * f + 2) {
            throw new IllegalArgumentException("Krum needs more than 2f + 2 = " + (2 * f + 2) + " clients for f = " + f
                    + ", found " + n);
        }
        if (m > n) {
            throw new IllegalArgumentException("m (" + m + ") exceeds the " + n + " clients");
        }
    }

    /** The {@code m} best-scored rows among {@code candidates} of {@code u}, best first. */
    static int[] select(INDArray u, int[] candidates, int f, int m) {
        return select(squaredDistances(u), candidates, f, m);
    }

    /**
     * As above, from the squared distances {@code d} between all rows, computed once: Bulyan calls
     * this {@code n - 2f} times on shrinking candidate sets.
     */
    static int[] select(double[][] d, int[] candidates, int f, int m) {
        int c = candidates.length;
        int neighbours = Math.max(0, c - f - 2);
        Integer[] order = new Integer[c];
        double[] score = new double[c];
        double[] row = new double[c - 1];
        for (int i = 0; i < c; i++) {
            double[] di = d[candidates[i]];
            for (int j = 0, k = 0; j < c; j++) {
                if (j != i) {
                    row[k++] = di[candidates[j]];
                }
            }
            Arrays.sort(row);
            for (int k = 0; k < neighbours; k++) {
                score[i] += row[k];
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
        int[] out = new int[m];
        for (int k = 0; k < m; k++) {
            out[k] = candidates[order[k]];
        }
        return out;
    }

    static double[][] squaredDistances(INDArray u) {
        INDArray sq = u.mul(u).sum(1).reshape(-1, 1);
        INDArray d = sq.add(sq.transpose()).subi(u.mmul(u.transpose()).muli(2));
        double[][] out = d.toDoubleMatrix();
        for (double[] row : out) {
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.max(0, row[j]);
            }
        }
        return out;
    }

    static int[] sorted(int[] idx) {
        int[] s = idx.clone();
        Arrays.sort(s);
        return s;
    }

    @Override
    public String name() {
        return m == 1 ? "krum(f=" + f + ")" : "multi-krum(f=" + f + ", m=" + m + ")";
    }

    /** {@code candidates} without {@code removed}. */
    static int[] without(int[] candidates, int removed) {
        List<Integer> out = new ArrayList<>();
        for (int c : candidates) {
            if (c != removed) {
                out.add(c);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
