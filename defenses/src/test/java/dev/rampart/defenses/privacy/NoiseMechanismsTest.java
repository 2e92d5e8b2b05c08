package dev.rampart.defenses.privacy;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.LaplaceDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NoiseMechanismsTest {

    private static double[] draws(java.util.function.DoubleSupplier s, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.getAsDouble();
        }
        return out;
    }

    @Test
    void samplersPassKolmogorovSmirnovTestsAgainstTheirDistributions() {
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
        NoiseSource seeded = NoiseSource.seeded(7);
        LaplaceMechanism lap = new LaplaceMechanism(2.0, 0.5, seeded);
        double[] l = draws(() -> lap.release(10.0) - 10.0, 20_000);
        assertTrue(ks.kolmogorovSmirnovTest(new LaplaceDistribution(null, 0, 4.0), l) > 0.01, "Laplace(0, 4)");
        GaussianMechanism g = new GaussianMechanism(3.0, seeded);
        double[] n = draws(() -> g.release(0.0), 20_000);
        assertTrue(ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, 3.0), n) > 0.01, "N(0, 9)");
        // the secure source too, and a wrong scale is caught by the same test
        NoiseSource secure = NoiseSource.secure();
        assertTrue(secure.isSecure() && !seeded.isSecure());
        double[] s = draws(secure::gaussian, 20_000);
        assertTrue(ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, 1), s) > 0.001);
        assertTrue(ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, 1.1), s) < 1e-6, "the test has power");
        // the bulk draws DP-SGD adds to its gradients (AES-CTR keystream, Box-Muller)
        double[] bulk = secure.gaussians(20_000, DataType.DOUBLE).toDoubleVector();
        assertTrue(ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, 1), bulk) > 0.001, "bulk N(0, 1)");
        assertTrue(ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, 1.1), bulk) < 1e-6);
        double[] seededBulk = NoiseSource.seeded(9).gaussians(20_000, DataType.DOUBLE).toDoubleVector();
        assertTrue(ks.kolmogorovSmirnovTest(new NormalDistribution(null, 0, 1), seededBulk) > 0.001, "seeded bulk");
        // seeded noise is reproducible
        assertEquals(NoiseSource.seeded(3).gaussian(), NoiseSource.seeded(3).gaussian());
    }

    @Test
    void theAnalyticGaussianIsCalibratedToDeltaAndBeatsTheClassicalOne() {
        double sigma = GaussianMechanism.analyticSigma(1.0, 0.5, 1e-5);
        assertEquals(1e-5, GaussianMechanism.privacyLoss(1.0, 0.5, sigma), 1e-9);
        assertTrue(GaussianMechanism.privacyLoss(1.0, 0.5, sigma * 0.99) > 1e-5, "smallest such sigma");
        double classical = GaussianMechanism.classicalSigma(1.0, 0.5, 1e-5);
        assertEquals(Math.sqrt(2 * Math.log(1.25e5)) / 0.5, classical, 1e-12);
        assertTrue(sigma < classical, sigma + " vs classical " + classical);
        // sigma scales with the sensitivity
        assertEquals(2 * sigma, GaussianMechanism.analyticSigma(2.0, 0.5, 1e-5), 1e-9 * sigma);
        assertMessage(() -> GaussianMechanism.classicalSigma(1, 2, 1e-5), "epsilon < 1");
    }

    @Test
    void arraysGetNoisePerElementAndInputsStayUntouched() {
        INDArray x = Nd4j.createFromArray(new float[] {1, 2, 3, 4}).reshape(2, 2);
        INDArray copy = x.dup();
        INDArray r = new LaplaceMechanism(1, 1, NoiseSource.seeded(1)).release(x);
        assertEquals(copy, x);
        assertEquals(DataType.FLOAT, r.dataType());
        assertFalse(r.equals(x));
        assertMessage(() -> new LaplaceMechanism(1, 1, NoiseSource.seeded(1)).release(Double.NaN), "value");
        INDArray bad = x.dup();
        bad.putScalar(3, Float.POSITIVE_INFINITY);
        assertMessage(() -> new GaussianMechanism(1, NoiseSource.seeded(1)).release(bad), "values[3]");
    }

    /** Large epsilons are calibrated in log space: e^800 overflows, the calibration does not. */
    @Test
    void extremeEpsilonsAreCalibratedOrRefusedByName() {
        for (double eps : new double[] {50, 800, 1e5}) {
            double sigma = GaussianMechanism.analyticSigma(1, eps, 1e-5);
            assertTrue(sigma > 0 && Double.isFinite(sigma), eps + ": " + sigma);
            assertTrue(GaussianMechanism.privacyLoss(1, eps, sigma) <= 1e-5, "calibrated to delta at " + eps);
            assertTrue(GaussianMechanism.privacyLoss(1, eps, sigma * 0.999) > 1e-5, "and the smallest such sigma");
        }
        assertTrue(GaussianMechanism.analyticSigma(1, 800, 1e-5) < GaussianMechanism.analyticSigma(1, 50, 1e-5));
        assertMessage(() -> GaussianMechanism.analyticSigma(1e308, 1e-300, 1e-5), "exceeds the largest double");
        assertMessage(() -> new LaplaceMechanism(1e300, 1e-300, NoiseSource.secure()), "exceeds the largest double");
    }

    @Test
    void badParametersAreNamed() {
        assertMessage(() -> new LaplaceMechanism(0, 1, NoiseSource.secure()), "sensitivity must be positive");
        assertMessage(() -> new LaplaceMechanism(1, -1, NoiseSource.secure()), "epsilon must be positive");
        assertMessage(() -> new LaplaceMechanism(1, 1, null), "noise");
        assertMessage(() -> new GaussianMechanism(0, NoiseSource.secure()), "sigma");
        assertMessage(() -> GaussianMechanism.analyticSigma(1, 0, 1e-5), "epsilon");
        assertMessage(() -> GaussianMechanism.analyticSigma(1, 1, 1), "delta must be in (0, 1)");
        assertMessage(() -> GaussianMechanism.analyticSigma(-1, 1, 1e-5), "sensitivity");
    }
}
