package dev.rampart.defenses.privacy;

import dev.rampart.core.check.Check;
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
        Check.positive("sigma", sigma);
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

    /**
     * The analytic calibration (Balle &amp; Wang 2018), by bisection to 1e-12 relative. The privacy
     * loss is evaluated in log space, so that very large epsilons (where {@code e^epsilon}
     * overflows) and very small ones are calibrated too.
     *
     * @throws IllegalArgumentException naming the parameter, if a value is invalid or the
     *     calibrated sigma is beyond the range of a double
     */
    public static double analyticSigma(double sensitivity, double epsilon, double delta) {
        Check.positive("sensitivity", sensitivity);
        Check.positive("epsilon", epsilon);
        Check.share("delta", delta);
        double lo = 0;
        double hi = sensitivity;
        while (exceeds(sensitivity, epsilon, hi, delta)) {
            lo = hi;
            hi *= 2;
            if (Double.isInfinite(hi)) {
                throw new IllegalArgumentException("epsilon " + epsilon + " is too small for sensitivity " + sensitivity
                        + " and delta " + delta + ": the calibrated sigma exceeds the largest double");
            }
        }
        while (hi - lo > 1e-12 * hi) {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi) {
                break; // adjacent doubles
            }
            if (exceeds(sensitivity, epsilon, mid, delta)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (!(hi > 0)) {
            throw new IllegalArgumentException("epsilon " + epsilon + " is too large for sensitivity " + sensitivity
                    + ": the calibrated sigma is below the smallest double");
        }
        return hi;
    }

    private static boolean exceeds(double s, double epsilon, double sigma, double delta) {
        double loss = privacyLoss(s, epsilon, sigma);
        if (Double.isNaN(loss)) {
            throw new IllegalArgumentException("the privacy loss of sigma " + sigma + " at epsilon " + epsilon
                    + " and sensitivity " + s + " cannot be computed in double precision");
        }
        return loss > delta;
    }

    /**
     * The delta that {@code sigma} gives at {@code epsilon}: Balle &amp; Wang's Theorem 8,
     * {@code Phi(a - b) - exp(epsilon + log Phi(-a - b))} with the second term in log space.
     */
    static double privacyLoss(double s, double epsilon, double sigma) {
        double a = s / sigma / 2; // not s / (2 sigma): 2 sigma can overflow where a does not
        double b = epsilon * (sigma / s);
        double second = Math.exp(epsilon + logPhi(-a - b));
        return PHI.cumulativeProbability(a - b) - second;
    }

    /** {@code log Phi(z)}, accurate far into the lower tail. */
    static double logPhi(double z) {
        return Math.log(0.5) + RdpAccountant.logErfc(-z / Math.sqrt(2));
    }

    /**
     * The classical calibration {@code s sqrt(2 ln(1.25 / delta)) / epsilon} (Dwork &amp; Roth,
     * "The algorithmic foundations of differential privacy", 2014, Theorem A.1).
     *
     * @throws IllegalArgumentException if {@code epsilon >= 1}, where it does not hold
     */
    public static double classicalSigma(double sensitivity, double epsilon, double delta) {
        Check.positive("sensitivity", sensitivity);
        Check.positive("epsilon", epsilon);
        Check.share("delta", delta);
        if (epsilon >= 1) {
            throw new IllegalArgumentException("the classical calibration holds for epsilon < 1, found " + epsilon
                    + "; use the analytic one");
        }
        return sensitivity * Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon;
    }

    /** {@code value} plus Gaussian noise. */
    public double release(double value) {
        Check.finite("value", value);
        return value + sigma * noise.gaussian();
    }

    /** Every value of {@code values} plus independent Gaussian noise, as a new array. */
    public INDArray release(INDArray values) {
        return Mechanisms.addNoise(values, () -> sigma * noise.gaussian());
    }
}
