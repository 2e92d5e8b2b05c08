package dev.rampart.defenses.privacy;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Gaussian mechanism: releasing {@code f(D) + N(0, sigma^2)} per value is
 * {@code (epsilon, delta)}-differentially private when {@code f}'s L2 sensitivity is
 * {@code sensitivity} and {@code sigma} is calibrated by the analytic Gaussian mechanism of Balle
 * &amp; Wang ("Improving the Gaussian mechanism for differential privacy", ICML 2018, Theorem 8):
 * the smallest {@code sigma} with
 * {@code Phi(s / (2 sigma) - epsilon sigma / s) - e^epsilon Phi(-s / (2 sigma) - epsilon sigma / s) <= delta}.
 * It holds for every {@code epsilon > 0}, and is smaller than the classical
 * {@code s sqrt(2 ln(1.25 / delta)) / epsilon} (Dwork &amp; Roth 2014), which holds only for
 * {@code epsilon < 1}; {@link #classicalSigma} gives that one for comparison.
 *
 * <pre>{@code
 * GaussianMechanism m = GaussianMechanism.calibrated(1.0, 1.0, 1e-5, NoiseSource.secure());
 * INDArray released = m.release(scores);
 * }</pre>
 *
 * @param sigma the noise's standard deviation
 * @param noise where the noise comes from ({@link NoiseSource#secure()} for real releases)
 */
public record GaussianMechanism(double sigma, NoiseSource noise) {

    private static final NormalDistribution PHI = new NormalDistribution(null, 0, 1);

    /** @throws IllegalArgumentException naming the parameter and its value */
    public GaussianMechanism {
        Mechanisms.positive("sigma", sigma);
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null (use NoiseSource.secure())");
        }
    }

    /**
     * The mechanism with the analytic calibration for L2 sensitivity {@code sensitivity} and
     * {@code (epsilon, delta)}.
     *
     * @throws IllegalArgumentException naming the parameter and its value
     */
    public static GaussianMechanism calibrated(double sensitivity, double epsilon, double delta, NoiseSource noise) {
        return new GaussianMechanism(analyticSigma(sensitivity, epsilon, delta), noise);
    }

    /** The analytic calibration (Balle &amp; Wang 2018), by bisection to 1e-12 relative. */
    public static double analyticSigma(double sensitivity, double epsilon, double delta) {
        Mechanisms.positive("sensitivity", sensitivity);
        Mechanisms.positive("epsilon", epsilon);
        Mechanisms.delta(delta);
        double lo = 0;
        double hi = sensitivity;
        while (privacyLoss(sensitivity, epsilon, hi) > delta) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1e-12 * hi) {
            double mid = (lo + hi) / 2;
            if (privacyLoss(sensitivity, epsilon, mid) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** The delta that {@code sigma} gives at {@code epsilon}: Balle &amp; Wang's Theorem 8. */
    static double privacyLoss(double s, double epsilon, double sigma) {
        double a = s / (2 * sigma);
        double b = epsilon * sigma / s;
        return PHI.cumulativeProbability(a - b) - Math.exp(epsilon) * PHI.cumulativeProbability(-a - b);
    }

    /**
     * The classical calibration {@code s sqrt(2 ln(1.25 / delta)) / epsilon} (Dwork &amp; Roth,
     * "The algorithmic foundations of differential privacy", 2014, Theorem A.1).
     *
     * @throws IllegalArgumentException if {@code epsilon >= 1}, where it does not hold
     */
    public static double classicalSigma(double sensitivity, double epsilon, double delta) {
        Mechanisms.positive("sensitivity", sensitivity);
        Mechanisms.positive("epsilon", epsilon);
        Mechanisms.delta(delta);
        if (epsilon >= 1) {
            throw new IllegalArgumentException("the classical calibration holds for epsilon < 1, found " + epsilon
                    + "; use the analytic one");
        }
        return sensitivity * Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon;
    }

    /** {@code value} plus Gaussian noise. */
    public double release(double value) {
        Mechanisms.finite("value", value);
        return value + sigma * noise.gaussian();
    }

    /** Every value of {@code values} plus independent Gaussian noise, as a new array. */
    public INDArray release(INDArray values) {
        return Mechanisms.addNoise(values, () -> sigma * noise.gaussian());
    }
}
