package dev.rampart.defenses.federated;

import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Norm bounding with optional weak differential privacy (Sun, Kairouz, Suresh &amp; McMahan, "Can
 * you really backdoor federated learning?", 2019): every update is scaled down to L2 norm at most
 * {@code bound}, the clipped updates are averaged with the clients' weights, and Gaussian noise of
 * standard deviation {@code sigma} is added to every coordinate (0: none). It damps a boosted
 * model-replacement update to the size of an honest one. {@link Result#kept()} lists the clients
 * whose update was within the bound.
 *
 * <pre>{@code
 * Aggregator bounded = new NormBounding(3.0, 0.001, 42);
 * }</pre>
 */
public final class NormBounding implements Aggregator {

    private final double bound;
    private final double sigma;
    private final long seed;
    private long rounds;

    /**
     * @param bound the largest L2 norm an update keeps, positive
     * @param sigma the noise's standard deviation, at least 0
     * @param seed the noise of round {@code t} is drawn from a seed derived from it and {@code t}
     */
    public NormBounding(double bound, double sigma, long seed) {
        if (!(bound > 0) || !Double.isFinite(bound)) {
            throw new IllegalArgumentException("bound must be positive and finite, found " + bound);
        }
        if (!(sigma >= 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be finite and >= 0, found " + sigma);
        }
        this.bound = bound;
        this.sigma = sigma;
        this.seed = seed;
    }

    @Override
    public synchronized Result aggregate(Round round) {
        INDArray u = Updates.matrix(round, 1);
        int n = (int) u.size(0);
        double[] norms = u.norm2(1).toDoubleVector();
        List<Integer> kept = new ArrayList<>();
        INDArray scale = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n, 1);
        for (int i = 0; i < n; i++) {
            double s = norms[i] > bound ? bound / norms[i] : 1.0;
            if (s == 1.0) {
                kept.add(i);
            }
            scale.putScalar(i, 0, s * round.weights()[i]);
        }
        double total = java.util.Arrays.stream(round.weights()).sum();
        INDArray avg = u.mulColumnVector(scale).sum(0).divi(total);
        if (sigma > 0) {
            Nd4j.getRandom().setSeed(Seeds.derive(seed, rounds));
            avg.addi(Nd4j.randn(avg.dataType(), avg.shape()).muli(sigma));
        }
        rounds++;
        return new Result(Updates.like(round, avg), kept.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String name() {
        return "norm-bound(" + bound + (sigma > 0 ? ", sigma=" + sigma : "") + ")";
    }
}
