package dev.rampart.defenses.federated;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        double[][] distances = Krum.squaredDistances(u);
        int[] candidates = Updates.all(n);
        int[] chosen = new int[theta];
        for (int k = 0; k < theta; k++) {
            int pick = Krum.select(distances, candidates, f, 1)[0];
            chosen[k] = pick;
            candidates = Krum.without(candidates, pick);
        }
        return new Result(Updates.like(round, nearestMedianMean(u.getRows(chosen), theta - 2 * f)),
                Krum.sorted(chosen));
    }

    /**
     * Per column of {@code x}, the mean of the {@code beta} values nearest the column's median. In
     * one dimension they are consecutive once sorted, so each column's sorted values are scanned
     * with the {@code rows - beta + 1} windows of {@code beta}: the window whose farther end lies
     * nearest the median wins (the first on a tie), and its mean comes from cumulative sums. Whole
     * columns at once, on the backend.
     */
    static INDArray nearestMedianMean(INDArray x, int beta) {
        int rows = (int) x.size(0);
        INDArray s = Nd4j.sort(x.dup(), 0, true);
        INDArray median = rows % 2 == 1 ? s.getRow(rows / 2).dup()
                : s.getRow(rows / 2 - 1).add(s.getRow(rows / 2)).muli(0.5);
        INDArray cum = s.cumsum(0);
        INDArray bestCost = null;
        INDArray bestSum = null;
        for (int w = 0; w + beta <= rows; w++) {
            INDArray lo = s.getRow(w);
            INDArray hi = s.getRow(w + beta - 1);
            INDArray cost = Transforms.max(Transforms.abs(lo.sub(median)), Transforms.abs(hi.sub(median)));
            INDArray sum = w == 0 ? cum.getRow(beta - 1).dup() : cum.getRow(w + beta - 1).sub(cum.getRow(w - 1));
            if (bestCost == null) {
                bestCost = cost;
                bestSum = sum;
            } else {
                INDArray better = cost.lt(bestCost).castTo(x.dataType());
                bestSum.addi(sum.subi(bestSum).muli(better));
                bestCost = Transforms.min(bestCost, cost);
            }
        }
        return bestSum.divi(beta);
    }

    @Override
    public String name() {
        return "bulyan(f=" + f + ")";
    }
}
