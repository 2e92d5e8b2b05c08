package dev.rampart.defenses.certification;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.testing.Fixtures;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Randomized smoothing against cases whose answer is known in closed form. */
class RandomizedSmoothingTest {

    /** w = (3, 4, 0, 0) / 5 (unit norm), b = 0: class 1 where w.x > 0, so the margin of x is w.x. */
    private static final INDArray W = Nd4j.createFromArray(0.6f, 0.8f, 0f, 0f).reshape(4, 1);
    private static final InputDomain WIDE = new InputDomain(-100, 100);

    private static Classifier halfSpace() {
        return new BlackBoxModel(x -> {
            INDArray up = x.castTo(DataType.FLOAT).mmul(W).gt(0).castTo(DataType.FLOAT);
            return Nd4j.hstack(up.rsub(1), up);
        }, 2, new long[] {4}, WIDE);
    }

    /** Points at margins -1.5, -0.4, 0.3, 1.0 and 2.0 along w. */
    private static INDArray points() {
        float[] m = {-1.5f, -0.4f, 0.3f, 1.0f, 2.0f};
        INDArray x = Nd4j.create(DataType.FLOAT, m.length, 4);
        for (int i = 0; i < m.length; i++) {
            x.putRow(i, Nd4j.createFromArray(0.6f * m[i], 0.8f * m[i], 0.5f, -2f));
        }
        return x;
    }

    @Test
    void clopperPearsonMatchesTheBinomialTail() {
        int[][] cases = {{990, 1000}, {500, 1000}, {99_900, 100_000}, {1, 10}, {7, 8}};
        for (int[] c : cases) {
            double p = RandomizedSmoothing.clopperPearsonLower(c[0], c[1], 0.001);
            // the lower bound is the p at which seeing k or more successes has probability alpha
            double tail = 1 - new BinomialDistribution(null, c[1], p).cumulativeProbability(c[0] - 1);
            assertEquals(0.001, tail, 1e-7, "k " + c[0] + " of " + c[1] + ": bound " + p);
        }
        assertEquals(Math.pow(0.001, 1e-5), RandomizedSmoothing.clopperPearsonLower(100_000, 100_000, 0.001), 1e-15);
        assertEquals(0, RandomizedSmoothing.clopperPearsonLower(0, 100, 0.001));
        assertTrue(RandomizedSmoothing.clopperPearsonLower(90, 100, 0.01) < RandomizedSmoothing.clopperPearsonLower(91,
                100, 0.01));
        assertTrue(RandomizedSmoothing.clopperPearsonLower(90, 100, 0.001) < RandomizedSmoothing.clopperPearsonLower(90,
                100, 0.01), "a smaller alpha gives a lower bound");
    }

    @Test
    void aHalfSpaceIsCertifiedUpToItsDistanceToTheBoundary() {
        double sigma = 1.0;
        RandomizedSmoothing s = RandomizedSmoothing.builder(halfSpace()).sigma(sigma).n0(100).n(100_000).alpha(0.001)
                .batchSize(10_000).seed(5).build();
        INDArray x = points();
        INDArray before = x.dup();
        SmoothingCertificates c = s.certify(x);
        assertEquals(before, x, "the input is not modified");
        double[] margin = {1.5, 0.4, 0.3, 1.0, 2.0};
        int[] side = {0, 0, 1, 1, 1};
        NormalDistribution normal = new NormalDistribution(null, 0, 1);
        for (int i = 0; i < margin.length; i++) {
            // the smoothed half-space is the half-space itself, with pA = Phi(margin / sigma): the
            // certificate is the distance to the boundary, less the estimate's confidence interval
            assertEquals(side[i], c.classes()[i], "example " + i);
            double r = c.radii()[i];
            assertTrue(r < margin[i], "example " + i + ": radius " + r + " beyond the boundary at " + margin[i]);
            double pA = normal.cumulativeProbability(margin[i] / sigma);
            double width = 3.3 * Math.sqrt(pA * (1 - pA) / 100_000);
            double expected = sigma * normal.inverseCumulativeProbability(pA - width);
            assertEquals(expected, r, 0.02 + 0.3 * (margin[i] - expected), "example " + i);
            assertTrue(r > margin[i] - 0.1, "example " + i + ": radius " + r + " against " + margin[i]);
        }
        RandomizedSmoothing.Prediction p = s.predict(x);
        assertArrayEquals(side, p.classes(), "PREDICT answers the half-space's side");
    }

    @Test
    void onTheBoundaryItAbstains() {
        RandomizedSmoothing s = RandomizedSmoothing.builder(halfSpace()).sigma(0.5).n0(100).n(20_000).alpha(0.001)
                .seed(1).build();
        INDArray x = Nd4j.createFromArray(0.8f, -0.6f, 1f, 1f).reshape(1, 4); // w.x = 0
        SmoothingCertificates c = s.certify(x);
        assertEquals(RandomizedSmoothing.ABSTAIN, c.classes()[0], "pA is 1/2: no certificate");
        assertEquals(0, c.radii()[0]);
        assertEquals(1.0, c.abstained());
        assertEquals(RandomizedSmoothing.ABSTAIN, s.predict(x).classes()[0]);
    }

    @Test
    void seededPerExampleSoPartsGiveTheSameCertificates() {
        RandomizedSmoothing s = RandomizedSmoothing.builder(halfSpace()).sigma(1.0).n0(50).n(2_000).batchSize(300)
                .seed(9).build();
        INDArray x = points();
        SmoothingCertificates all = s.certify(x);
        SmoothingCertificates again = s.certify(x);
        assertArrayEquals(all.topCounts(), again.topCounts(), "same seed, same noise");
        assertArrayEquals(all.topCounts(), s.certify(x.castTo(DataType.DOUBLE)).topCounts(),
                "a double-typed batch is certified as the model's float one");
        SmoothingCertificates tail = s.certify(x.get(NDArrayIndex.interval(2, 5)), 2);
        for (int i = 0; i < 3; i++) {
            assertEquals(all.topCounts()[i + 2], tail.topCounts()[i], "example " + (i + 2) + " certified in a part");
            assertEquals(all.radii()[i + 2], tail.radii()[i]);
        }
        SmoothingCertificates other = RandomizedSmoothing.builder(halfSpace()).sigma(1.0).n0(50).n(2_000)
                .batchSize(300).seed(10).build().certify(x);
        assertNotEquals(java.util.Arrays.toString(all.topCounts()), java.util.Arrays.toString(other.topCounts()),
                "another seed, other noise");
    }

    @Test
    void certifiedAccuracyCountsCorrectCertificatesAtEachRadius() {
        LabeledData d = new LabeledData("points", points(), new int[] {0, 0, 1, 0, 1}, 2);
        SmoothingCertificates c = RandomizedSmoothing.builder(halfSpace()).sigma(1.0).n0(100).n(20_000).seed(3)
                .build().certify(d);
        // example 3 is certified, but as class 1 against its label 0
        assertEquals(0.8, c.certifiedAccuracy(0), 1e-12);
        double[] curve = c.certifiedAccuracy(new double[] {0, 0.2, 1.0, 1.9, 5});
        for (int i = 1; i < curve.length; i++) {
            assertTrue(curve[i] <= curve[i - 1], java.util.Arrays.toString(curve));
        }
        assertEquals(0, curve[4]);
        assertEquals(0.2, curve[3], 1e-12, "only the margin-2.0 point beyond 1.9: " + java.util.Arrays.toString(c.radii()));
        assertMessage(() -> c.certifiedAccuracy(-1), "radius must be finite and >= 0, found -1.0");
        SmoothingCertificates unlabelled = RandomizedSmoothing.builder(halfSpace()).n(100).build().certify(points());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> unlabelled.certifiedAccuracy(0));
        assertTrue(e.getMessage().contains("certified accuracy needs labels"), e.getMessage());
    }

    @Test
    void aCnnCertifiesTestImagesAtASmallSigma() {
        LabeledData d = Fixtures.testSample(20);
        SmoothingCertificates c = RandomizedSmoothing.builder(Fixtures.trainedCnn()).sigma(0.12).n0(50).n(1000)
                .alpha(0.001).seed(0).build().certify(d);
        // a model trained without noise still holds most predictions under little noise
        assertTrue(c.certifiedAccuracy(0) >= 0.6, "certified accuracy at 0: " + c.certifiedAccuracy(0));
        assertTrue(c.certifiedAccuracy(0.25) < c.certifiedAccuracy(0) || c.certifiedAccuracy(0) == 0,
                "with n = 1000 no radius reaches sigma * 3.1: " + java.util.Arrays.toString(c.radii()));
        for (double r : c.radii()) {
            // n = 1000 and alpha = 0.001 bound pA below 0.99311 (all 1000 correct), so the radius below 0.12 * 2.46
            assertTrue(r <= 0.12 * new NormalDistribution(null, 0, 1).inverseCumulativeProbability(Math.pow(0.001,
                    1e-3)) + 1e-9, "radius " + r);
        }
    }

    @Test
    void badInputIsNamed() {
        Classifier m = halfSpace();
        assertMessage(() -> RandomizedSmoothing.builder(m).sigma(0).build(), "sigma must be positive and finite, found 0.0");
        assertMessage(() -> RandomizedSmoothing.builder(m).sigma(Double.NaN).build(), "sigma must be positive and finite");
        assertMessage(() -> RandomizedSmoothing.builder(m).alpha(1).build(), "alpha must be in (0, 1), found 1.0");
        assertMessage(() -> RandomizedSmoothing.builder(m).alpha(0).build(), "alpha must be in (0, 1), found 0.0");
        assertMessage(() -> RandomizedSmoothing.builder(m).n0(200).n(100).build(), "n0 must be at most n (100), found 200");
        assertMessage(() -> RandomizedSmoothing.builder(m).n(0).build(), "n must be positive, found 0");
        assertMessage(() -> RandomizedSmoothing.builder(m).batchSize(-1).build(), "batchSize must be in [1, 65536], found -1");
        assertMessage(() -> RandomizedSmoothing.builder(m).batchSize(1_000_000_000).build(),
                "batchSize must be in [1, 65536], found 1000000000");
        assertMessage(() -> RandomizedSmoothing.builder(null), "model must not be null");
        RandomizedSmoothing s = RandomizedSmoothing.builder(m).n(100).build();
        assertMessage(() -> s.certify(Nd4j.create(DataType.FLOAT, 2, 3)), "x");
        INDArray nan = points();
        nan.putScalar(0, 1, Float.NaN);
        assertMessage(() -> s.certify(nan), "x");
        assertMessage(() -> s.certify(points(), -1), "firstIndex must not be negative, found -1");
        assertMessage(() -> RandomizedSmoothing.clopperPearsonLower(11, 10, 0.01), "k must be in [0, n=10], found 11");
    }
}
