package dev.rampart.attacks.federated;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inner Product Manipulation (Xie, Koyejo &amp; Gupta, UAI 2019): every malicious client sends
 * {@code -epsilon} times the honest mean, so that the aggregate's inner product with the true
 * gradient turns negative. A small epsilon (0.1) slips past median and Krum, whose outputs stay
 * near the honest cluster; a large one (100) defeats averaging outright.
 *
 * <pre>{@code
 * List<INDArray> bad = new InnerProductManipulation(0.1).craft(honest, 10, 50, seed);
 * }</pre>
 */
public final class InnerProductManipulation implements ByzantineUpdates {

    private final double epsilon;

    /** @param epsilon positive */
    public InnerProductManipulation(double epsilon) {
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be positive and finite, found " + epsilon);
        }
        this.epsilon = epsilon;
    }

    @Override
    public List<INDArray> craft(List<INDArray> honest, int malicious, int clients, long seed) {
        INDArray h = ByzantineMath.honest(honest, malicious, clients);
        return ByzantineMath.copies(h.mean(0).muli(-epsilon), malicious, honest);
    }

    @Override
    public String name() {
        return "ipm(" + epsilon + ")";
    }
}
