package dev.rampart.defenses.federated;

import dev.rampart.core.random.Seeds;
import dev.rampart.defenses.privacy.RdpAccountant;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DP-FedAvg (McMahan, Ramage, Talwar &amp; Zhang, "Learning differentially private recurrent
 * language models", ICLR 2018): client-level differential privacy. Each client's update is clipped
 * to L2 norm {@code clip}, the clipped updates are summed and divided by the expected number of
 * clients per round {@code q N} (the fixed-denominator estimator), and Gaussian noise of standard
 * deviation {@code noiseMultiplier * clip / (q N)} is added. One round is then a sampled Gaussian
 * mechanism on the clients' data with sampling rate {@code q}; {@link #epsilon} accounts the rounds
 * with the project's RDP accountant.
 *
 * <pre>{@code
 * Aggregator dp = new DpFedAvg(1.0, 1.1, 10, 42);                     // clip 1, sigma 1.1, 10 clients a round
 * double eps = DpFedAvg.epsilon(10.0 / 100, 1.1, 200, 1e-5);          // 200 rounds of 10 of 100 clients
 * }</pre>
 */
public final class DpFedAvg implements Aggregator {

    private final double clip;
    private final double noiseMultiplier;
    private final double expectedClients;
    private final long seed;
    private long rounds;

    /**
     * @param clip the L2 norm each update is clipped to, positive
     * @param noiseMultiplier the noise's standard deviation in units of {@code clip}, at least 0
     * @param expectedClients the expected number of clients per round, {@code q N}, positive
     * @param seed round {@code t}'s noise derives from it and {@code t}
     */
    public DpFedAvg(double clip, double noiseMultiplier, double expectedClients, long seed) {
        if (!(clip > 0) || !Double.isFinite(clip)) {
            throw new IllegalArgumentException("clip must be positive and finite, found " + clip);
        }
        if (!(noiseMultiplier >= 0) || !Double.isFinite(noiseMultiplier)) {
            throw new IllegalArgumentException("noiseMultiplier must be finite and >= 0, found " + noiseMultiplier);
        }
        if (!(expectedClients > 0) || !Double.isFinite(expectedClients)) {
            throw new IllegalArgumentException("expectedClients must be positive and finite, found " + expectedClients);
        }
        this.clip = clip;
        this.noiseMultiplier = noiseMultiplier;
        this.expectedClients = expectedClients;
        this.seed = seed;
    }

    /**
     * The client-level epsilon of {@code rounds} rounds, each sampling clients at rate {@code q},
     * at {@code delta}.
     */
    public static double epsilon(double q, double noiseMultiplier, long rounds, double delta) {
        return RdpAccountant.epsilon(q, noiseMultiplier, rounds, delta, RdpAccountant.DEFAULT_ORDERS).epsilon();
    }

    @Override
    public synchronized Result aggregate(Round round) {
        INDArray u = Updates.matrix(round, 1);
        int n = (int) u.size(0);
        double[] norms = u.norm2(1).toDoubleVector();
        INDArray scale = Nd4j.create(u.dataType(), n, 1);
        java.util.List<Integer> kept = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            double s = norms[i] > clip ? clip / norms[i] : 1.0;
            if (s == 1.0) {
                kept.add(i);
            }
            scale.putScalar(i, 0, s);
        }
        INDArray sum = u.mulColumnVector(scale).sum(0);
        if (noiseMultiplier > 0) {
            Nd4j.getRandom().setSeed(Seeds.derive(seed, rounds));
            sum.addi(Nd4j.randn(sum.dataType(), sum.shape()).muli(noiseMultiplier * clip));
        }
        rounds++;
        return new Result(Updates.like(round, sum.divi(expectedClients)),
                kept.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String name() {
        return "dp-fedavg(clip=" + clip + ", sigma=" + noiseMultiplier + ")";
    }
}
