package dev.rampart.defenses.detection;

import dev.rampart.core.model.InputDomain;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Reduces every input value to {@code 2^bits} evenly spaced levels of the domain (Xu, Evans &amp;
 * Qi, "Feature Squeezing: Detecting Adversarial Examples in Deep Neural Networks", NDSS 2018).
 *
 * <pre>{@code
 * INDArray coarse = new BitDepthReduction(3, InputDomain.UNIT).squeeze(images);   // 8 grey levels
 * }</pre>
 *
 * @param bits bits per value kept, 1 to 16
 * @param domain the input domain the levels span
 */
public record BitDepthReduction(int bits, InputDomain domain) implements Squeezer {

    /** Most bits accepted; beyond that float inputs are not squeezed at all. */
    public static final int MAX_BITS = 16;

    /**
     * @throws IllegalArgumentException if {@code bits} is outside {@code [1, 16]} or domain is null
     */
    public BitDepthReduction {
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits must be in [1, " + MAX_BITS + "], found " + bits);
        }
        if (domain == null) {
            throw new IllegalArgumentException("domain must not be null");
        }
    }

    @Override
    public INDArray squeeze(INDArray x) {
        double levels = (1 << bits) - 1;
        INDArray unit = x.sub(domain.min()).divi(domain.width());
        INDArray rounded = Transforms.round(unit.muli(levels), false).divi(levels);
        return domain.clipInPlace(rounded.muli(domain.width()).addi(domain.min())); // rounding may step outside
    }

    @Override
    public String name() {
        return "bit-depth-" + bits;
    }
}
