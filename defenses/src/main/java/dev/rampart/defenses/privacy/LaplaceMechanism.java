package dev.rampart.defenses.privacy;

import dev.rampart.core.check.Check;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Laplace mechanism (Dwork, McSherry, Nissim &amp; Smith, "Calibrating noise to sensitivity in
 * private data analysis", 2006): releasing {@code f(D) + Lap(sensitivity / epsilon)} per value is
 * {@code epsilon}-differentially private when {@code f}'s L1 sensitivity (the most one record can
 * change the released values, summed) is {@code sensitivity}. Use it for counts, sums and scores.
 *
 * <pre>{@code
 * LaplaceMechanism m = new LaplaceMechanism(1.0, 0.5, NoiseSource.secure());   // a count, epsilon 0.5
 * double released = m.release(trueCount);
 * }</pre>
 *
 * @param sensitivity the L1 sensitivity of what is released, positive
 * @param epsilon the privacy parameter, positive
 * @param noise where the noise comes from ({@link NoiseSource#secure()} for real releases)
 */
public record LaplaceMechanism(double sensitivity, double epsilon, NoiseSource noise) {

    /** @throws IllegalArgumentException naming the parameter and its value */
    public LaplaceMechanism {
        Check.positive("sensitivity", sensitivity);
        Check.positive("epsilon", epsilon);
        if (!Double.isFinite(sensitivity / epsilon)) {
            throw new IllegalArgumentException("the noise scale sensitivity / epsilon = " + sensitivity + " / " + epsilon
                    + " exceeds the largest double");
        }
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null (use NoiseSource.secure())");
        }
    }

    /** The noise's scale {@code b = sensitivity / epsilon} (standard deviation {@code b sqrt(2)}). */
    public double scale() {
        return sensitivity / epsilon;
    }

    /** {@code value} plus Laplace noise. */
    public double release(double value) {
        Check.finite("value", value);
        return value + scale() * noise.laplace();
    }

    /** Every value of {@code values} plus independent Laplace noise, as a new array. */
    public INDArray release(INDArray values) {
        return Mechanisms.addNoise(values, () -> scale() * noise.laplace());
    }
}
