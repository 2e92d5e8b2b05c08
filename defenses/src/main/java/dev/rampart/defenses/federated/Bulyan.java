package dev.rampart.defenses.federated;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulyan (El Mhamdi, Guerraoui &amp; Rouault, ICML 2018): Krum is applied again and again, each time
 * removing the update it picks, until {@code theta = n - 2f} updates are chosen; then, coordinate by
 * coordinate, the {@code theta - 2f} chosen values nearest their median are averaged. It bounds
 * each coordinate as the trimmed mean does and the whole update as Krum does. Sound while
 * {@code n >= 4f + 3}; a smaller round is refused.
 *
 * <pre>{@code
 * INDArray step = new Bulyan(2).aggregate(Aggregator.Round.of(updates)).update();   // 11+ clients
 * }</pre>
 */
public final class Bulyan implements Aggregator {

    private final int f;

    /** @param f the number of malicious clients tolerated, at least 0 */
    public Bulyan(int f) {
        if (f < 0) {
            throw new IllegalArgumentException("f must not be negative, found " + f);
        }
        this.f = f;
    }

    @Override
    public Result aggregate(Round round) {
        INDArray u = Updates.matrix(round, 1);
        int n = (int) u.size(0);
        if (n < 4 * f + 3) {
            throw new IllegalArgumentException("Bulyan needs at least 4f + 3 = " + (4 * f + 3) + " clients for f = " + f
                    + ", found " + n);
        }
        int theta = n - 2 * f;
        int[] candidates = Updates.all(n);
        int[] chosen = new int[theta];
        for (int k = 0; k < theta; k++) {
            int pick = Krum.select(u, candidates, f, 1)[0];
            chosen[k] = pick;
            candidates = Krum.without(candidates, pick);
        }
        double[][] sel = u.getRows(chosen).toDoubleMatrix();
        int beta = theta - 2 * f;
        int dims = sel[0].length;
        double[] out = new double[dims];
        double[] column = new double[theta];
        Integer[] order = new Integer[theta];
        for (int j = 0; j < dims; j++) {
            for (int i = 0; i < theta; i++) {
                column[i] = sel[i][j];
                order[i] = i;
            }
            double[] s = column.clone();
            Arrays.sort(s);
            double median = theta % 2 == 1 ? s[theta / 2] : (s[theta / 2 - 1] + s[theta / 2]) / 2;
            final int jj = j;
            Arrays.sort(order, (a, b) -> Double.compare(Math.abs(sel[a][jj] - median), Math.abs(sel[b][jj] - median)));
            double sum = 0;
            for (int k = 0; k < beta; k++) {
                sum += sel[order[k]][j];
            }
            out[j] = sum / beta;
        }
        return new Result(Updates.like(round, org.nd4j.linalg.factory.Nd4j.createFromArray(out)), Krum.sorted(chosen));
    }

    @Override
    public String name() {
        return "bulyan(f=" + f + ")";
    }
}
