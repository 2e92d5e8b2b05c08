package dev.rampart.attacks.federated;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sign flipping: malicious client {@code i} sends minus {@code scale} times an honest update (the
 * {@code i}-th, cycling), as a client that trains honestly and flips the sign of what it sends; a
 * standard byzantine baseline of the robust-aggregation literature (e.g. Li et al. 2019's RSA, and
 * Karimireddy et al. 2021). Unlike {@link InnerProductManipulation} the malicious updates differ
 * from one another and keep an honest update's size.
 *
 * <pre>{@code
 * List<INDArray> bad = new SignFlipping(4).craft(honest, 10, 50, seed);
 * }</pre>
 */
public final class SignFlipping implements ByzantineUpdates {

    private final double scale;

    /** @param scale how many times the mean's length, positive */
    public SignFlipping(double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, found " + scale);
        }
        this.scale = scale;
    }

    @Override
    public List<INDArray> craft(List<INDArray> honest, int malicious, int clients, long seed) {
        INDArray h = ByzantineMath.honest(honest, malicious, clients);
        return java.util.stream.IntStream.range(0, malicious).mapToObj(i -> ByzantineMath.copies(
                h.getRow(i % h.size(0)).mul(-scale), 1, honest).get(0)).toList();
    }

    @Override
    public String name() {
        return "sign-flip(" + scale + ")";
    }
}
