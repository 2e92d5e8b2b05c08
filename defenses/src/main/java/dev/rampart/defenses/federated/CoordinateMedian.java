package dev.rampart.defenses.federated;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The coordinate-wise median of the updates (Yin, Chen, Ramchandran &amp; Bartlett, ICML 2018):
 * with fewer than half the clients malicious, every coordinate of the result lies between two
 * honest clients' values of it. Weights are ignored.
 *
 * <pre>{@code
 * INDArray step = new CoordinateMedian().aggregate(Aggregator.Round.of(updates)).update();
 * }</pre>
 */
public final class CoordinateMedian implements Aggregator {

    @Override
    public Result aggregate(Round round) {
        INDArray m = Updates.matrix(round, 1);
        int n = (int) m.size(0);
        // one sort along the clients: ND4J's median(0) takes each coordinate on its own, 30x slower
        // for 10 clients x 270,000 parameters (6.3 s against 0.2 s)
        INDArray sorted = Nd4j.sort(m.dup(), 0, true);
        INDArray median = n % 2 == 1 ? sorted.getRow(n / 2).dup()
                : sorted.getRow(n / 2 - 1).add(sorted.getRow(n / 2)).muli(0.5);
        return new Result(Updates.like(round, median), Updates.all(n));
    }

    @Override
    public String name() {
        return "median";
    }
}
