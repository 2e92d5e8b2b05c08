package dev.rampart.defenses.federated;

import org.nd4j.linalg.api.ndarray.INDArray;

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
        return new Result(Updates.like(round, m.median(0)), Updates.all((int) m.size(0)));
    }

    @Override
    public String name() {
        return "median";
    }
}
