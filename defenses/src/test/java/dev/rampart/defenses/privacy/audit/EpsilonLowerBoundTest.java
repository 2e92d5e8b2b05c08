package dev.rampart.defenses.privacy.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-run and Clopper-Pearson bounds against hand computations, and their soundness on randomized response. */
class EpsilonLowerBoundTest {

    @Test
    void handComputedCases() {
        // every guess right, delta 0: P[Bin(r, q) >= r] = q^r = beta, so q = beta^(1/r)
        double q = Math.pow(0.05, 1.0 / 100);
        assertEquals(Math.log(q / (1 - q)), EpsilonLowerBound.oneRun(1000, 100, 100, 0, 0.05), 1e-9);
        assertEquals(3.4929654311522933, EpsilonLowerBound.oneRun(1000, 100, 100, 0, 0.05), 1e-9);
        // 90 of 100, with and without delta (the p-values summed exactly in double precision)
        assertEquals(0.3449868367938025, EpsilonLowerBound.pValue(1000, 100, 90, 2.0, 1e-5), 1e-9);
        assertEquals(0.3425540546249236, EpsilonLowerBound.pValue(1000, 100, 90, 2.0, 0), 1e-9);
        assertEquals(1.6261434806957262, EpsilonLowerBound.oneRun(1000, 100, 90, 1e-5, 0.05), 1e-7);
        assertEquals(1.6308231927409742, EpsilonLowerBound.oneRun(1000, 100, 90, 0, 0.05), 1e-7);
        // chance or worse proves nothing
        assertEquals(0, EpsilonLowerBound.oneRun(1000, 100, 50, 1e-5, 0.05));
        assertEquals(0, EpsilonLowerBound.oneRun(1000, 100, 0, 1e-5, 0.05));
        // no error in 1,000 runs each way, delta 0: FPR and FNR are at most 1 - 0.025^(1/1000)
        double f = 1 - Math.pow(0.025, 1.0 / 1000);
        assertEquals(Math.log((1 - f) / f), EpsilonLowerBound.clopperPearson(0, 1000, 0, 1000, 0, 0.05), 1e-6);
        assertEquals(5.600587531298932, EpsilonLowerBound.clopperPearson(0, 1000, 0, 1000, 0, 0.05), 1e-6);
        assertEquals(0, EpsilonLowerBound.clopperPearson(500, 1000, 500, 1000, 1e-5, 0.05));
    }

    @Test
    void moreRightGuessesNeverLowerTheBoundAndDeltaNeverRaisesIt() {
        double last = 0;
        for (int v = 50; v <= 200; v += 10) {
            double b = EpsilonLowerBound.oneRun(2000, 200, v, 1e-5, 0.05);
            assertTrue(b >= last, v + ": " + b + " < " + last);
            assertTrue(b <= EpsilonLowerBound.oneRun(2000, 200, v, 0, 0.05) + 1e-12);
            last = b;
        }
        assertTrue(last > 3, "all 200 right: " + last);
    }

    /**
     * Randomized response is exactly epsilon-DP: each canary's observed bit equals its inclusion with
     * probability e^eps / (1 + e^eps). The bound must exceed epsilon in at most about 5% of audits,
     * and come close to it with many guesses.
     */
    @Test
    void onRandomizedResponseTheBoundIsSoundAndNearlyTight() {
        double eps = 2;
        double p = Math.exp(eps) / (1 + Math.exp(eps));
        int above = 0;
        double sum = 0;
        Random rng = new Random(7);
        int audits = 200;
        for (int a = 0; a < audits; a++) {
            int right = 0;
            for (int i = 0; i < 1000; i++) {
                right += rng.nextDouble() < p ? 1 : 0;
            }
            double b = EpsilonLowerBound.oneRun(1000, 1000, right, 0, 0.05);
            above += b > eps ? 1 : 0;
            sum += b;
        }
        assertTrue(above <= 20, above + " of " + audits + " bounds above the true epsilon");
        assertTrue(sum / audits > 1.6, "mean bound " + sum / audits + " for epsilon " + eps);
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("m (canaries) must be at least 1, found 0", assertThrows(IllegalArgumentException.class,
                () -> EpsilonLowerBound.oneRun(0, 0, 0, 0, 0.05)).getMessage());
        assertEquals("r (guesses) must be in [0, m=10], found 11", assertThrows(IllegalArgumentException.class,
                () -> EpsilonLowerBound.oneRun(10, 11, 0, 0, 0.05)).getMessage());
        assertEquals("v (right guesses) must be in [0, r=5], found 6", assertThrows(IllegalArgumentException.class,
                () -> EpsilonLowerBound.oneRun(10, 5, 6, 0, 0.05)).getMessage());
        assertEquals("delta must be in [0, 1), found NaN", assertThrows(IllegalArgumentException.class,
                () -> EpsilonLowerBound.oneRun(10, 5, 5, Double.NaN, 0.05)).getMessage());
        assertEquals("beta (one minus the confidence) must be in (0, 1), found 1.0", assertThrows(
                IllegalArgumentException.class, () -> EpsilonLowerBound.oneRun(10, 5, 5, 0, 1)).getMessage());
        assertEquals("epsilon must be at least 0, found NaN", assertThrows(IllegalArgumentException.class,
                () -> EpsilonLowerBound.pValue(10, 5, 5, Double.NaN, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> EpsilonLowerBound.pValue(10, 5, 6, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> EpsilonLowerBound.clopperPearson(3, 2, 0, 2, 0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> EpsilonLowerBound.clopperPearson(0, 0, 0, 2, 0, 0.05));
    }
}
