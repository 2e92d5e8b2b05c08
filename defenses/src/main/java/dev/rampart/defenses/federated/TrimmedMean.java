package dev.rampart.defenses.federated;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The coordinate-wise trimmed mean (Yin, Chen, Ramchandran &amp; Bartlett, ICML 2018): for every
 * coordinate the largest and smallest {@code floor(beta * n)} values are dropped and the rest
 * averaged, so that up to that many malicious clients cannot move a coordinate beyond the honest
 * values. Weights are ignored.
 *
 * <pre>{@code
 * INDArray step = new TrimmedMean(0.2).aggregate(Aggregator.Round.of(updates)).update();
 * }</pre>
 */
public final class TrimmedMean implements Aggregator {

    private final double beta;

    /** @throws IllegalArgumentException unless {@code 0 <= beta < 0.5} */
    public TrimmedMean(double beta) {
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException("the trim fraction beta must be in [0, 0.5), found " + beta);
        }
        this.beta = beta;
    }

    @Override
    public Result aggregate(Round round) {
        INDArray m = Updates.matrix(round, 1);
        int n = (int) m.size(0);
        int trim = (int) Math.floor(beta * n);
        INDArray sorted = Nd4j.sort(m.dup(), 0, true);
        INDArray kept = sorted.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(trim, n - trim));
        return new Result(Updates.like(round, kept.mean(0)), Updates.all(n));
    }

    @Override
    public String name() {
        return "trimmed-mean(beta=" + beta + ")";
    }
}
