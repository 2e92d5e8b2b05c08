package dev.rampart.attacks.federated;

import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gaussian updates: every malicious client sends noise of standard deviation {@code sigma} in each
 * coordinate, a random-fault baseline (Blanchard et al. 2017 call it the Gaussian byzantine
 * worker).
 *
 * <pre>{@code
 * List<INDArray> bad = new GaussianUpdates(1.0).craft(honest, 10, 50, seed);
 * }</pre>
 */
public final class GaussianUpdates implements ByzantineUpdates {

    private final double sigma;

    /** @param sigma the noise's standard deviation, positive */
    public GaussianUpdates(double sigma) {
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be positive and finite, found " + sigma);
        }
        this.sigma = sigma;
    }

    @Override
    public List<INDArray> craft(List<INDArray> honest, int malicious, int clients, long seed) {
        INDArray h = ByzantineMath.honest(honest, malicious, clients);
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < malicious; i++) {
            Nd4j.getRandom().setSeed(Seeds.derive(seed, i));
            out.add(ByzantineMath.copies(Nd4j.randn(h.dataType(), h.size(1)).muli(sigma), 1, honest).get(0));
        }
        return out;
    }

    @Override
    public String name() {
        return "gaussian(" + sigma + ")";
    }
}
