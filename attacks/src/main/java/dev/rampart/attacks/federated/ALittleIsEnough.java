package dev.rampart.attacks.federated;

import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A Little Is Enough (Baruch, Baruch &amp; Goldberg, NeurIPS 2019): every malicious client sends
 * {@code mean - z * std} of the honest updates, coordinate by coordinate, with {@code z} the largest
 * shift that the median and Krum still accept: {@code s = floor(n / 2 + 1) - f} honest clients
 * must sit farther from the mean than the malicious ones, so {@code z = Phi^-1((n - s) / n)}. The
 * shift stays inside the honest spread, so median, trimmed mean and Krum follow it round after round.
 *
 * <pre>{@code
 * List<INDArray> bad = new ALittleIsEnough().craft(honest, 10, 50, seed);   // z from n = 50, f = 10
 * }</pre>
 */
public final class ALittleIsEnough implements ByzantineUpdates {

    private final double z;

    /** The paper's {@code z}, computed from the round's numbers of clients. */
    public ALittleIsEnough() {
        this.z = Double.NaN;
    }

    /** @param z a fixed shift in standard deviations, positive */
    public ALittleIsEnough(double z) {
        if (!(z > 0) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("z must be positive and finite, found " + z);
        }
        this.z = z;
    }

    /** The paper's {@code z_max} for {@code n} clients of which {@code f} are malicious. */
    public static double zMax(int n, int f) {
        if (n < 1 || f < 0 || f > n) {
            throw new IllegalArgumentException("need 0 <= f <= n and n >= 1, found n " + n + ", f " + f);
        }
        int s = (int) Math.floor(n / 2.0 + 1) - f;
        double p = (double) (n - s) / n;
        if (p <= 0 || p >= 1) {
            throw new IllegalArgumentException("n " + n + " and f " + f + " leave no shift (Phi^-1 of " + p + ")");
        }
        return new NormalDistribution(null, 0, 1).inverseCumulativeProbability(p);
    }

    @Override
    public List<INDArray> craft(List<INDArray> honest, int malicious, int clients, long seed) {
        INDArray h = ByzantineMath.honest(honest, malicious, clients);
        double shift = Double.isNaN(z) ? zMax(clients, malicious) : z;
        INDArray mean = h.mean(0);
        INDArray std = Transforms.sqrt(h.subRowVector(mean).muli(h.subRowVector(mean)).mean(0), false);
        return ByzantineMath.copies(mean.sub(std.muli(shift)), malicious, honest);
    }

    @Override
    public String name() {
        return Double.isNaN(z) ? "alie" : "alie(z=" + z + ")";
    }
}
