package dev.rampart.defenses.federated;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FLTrust (Cao, Fang, Liu &amp; Gong, NDSS 2021): the server trains on a small trusted root set each
 * round; each client's trust is the ReLU of the cosine between its update and the server's, every
 * update is rescaled to the norm of the server's, and the result is their trust-weighted average.
 * A client pointing away from the server's direction gets no weight, a boosted one no more
 * magnitude than the server's. The round must carry the server's update.
 *
 * <pre>{@code
 * Aggregator.Round r = new Aggregator.Round(updates, weights, serverUpdateOnRootSet);
 * INDArray step = new FlTrust().aggregate(r).update();
 * }</pre>
 */
public final class FlTrust implements Aggregator {

    @Override
    public Result aggregate(Round round) {
        INDArray u = Updates.matrix(round, 1);
        if (round.serverUpdate() == null) {
            throw new IllegalArgumentException("FLTrust needs the server's update on its root set (serverUpdate)");
        }
        INDArray g0 = Updates.matrix(new Round(List.of(round.serverUpdate()), new double[] {1}, null), 1).reshape(-1);
        if (g0.length() != u.size(1)) {
            throw new IllegalArgumentException("the server's update has " + g0.length() + " values, the clients' "
                    + u.size(1));
        }
        double n0 = g0.norm2Number().doubleValue();
        int n = (int) u.size(0);
        double[] norms = u.norm2(1).toDoubleVector();
        double[] dots = u.mmul(g0.reshape(-1, 1)).reshape(-1).toDoubleVector();
        INDArray sum = g0.mul(0);
        double trustSum = 0;
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double cos = norms[i] == 0 || n0 == 0 ? 0 : dots[i] / (norms[i] * n0);
            double trust = Math.max(0, cos);
            if (trust > 0) {
                kept.add(i);
                sum.addi(u.getRow(i).mul(trust * n0 / norms[i]));
                trustSum += trust;
            }
        }
        INDArray result = trustSum == 0 ? sum : sum.divi(trustSum);
        return new Result(Updates.like(round, result), kept.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String name() {
        return "fltrust";
    }
}
