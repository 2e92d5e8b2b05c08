package dev.rampart.defenses.privacy;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RdpAccountantTest {

    private static final double[] ORDERS = RdpAccountant.DEFAULT_ORDERS;

    @Test
    void matchesOpacusOnTheReferenceSetting() {
        // q 0.04, sigma 1.5, 2,250 steps, delta 1e-5, Opacus's default orders: epsilon 7.32911117143
        RdpAccountant.Spent s = RdpAccountant.epsilon(0.04, 1.5, 2250, 1e-5, ORDERS);
        assertEquals(7.32911117143, s.epsilon(), 7.32911117143 * 1e-6);
        assertEquals(99 + 52, ORDERS.length);
        assertEquals(1.1, ORDERS[0], 1e-12);
        assertEquals(63, ORDERS[ORDERS.length - 1]);
    }

    @Test
    void withoutSamplingTheGaussianMechanismsRdpIsExact() {
        // q = 1: RDP of the Gaussian mechanism is alpha / (2 sigma^2) per step (Mironov 2017)
        double sigma = 2.0;
        for (double a : new double[] {1.5, 2, 7.3, 32}) {
            assertEquals(a / (2 * sigma * sigma), RdpAccountant.rdp(1.0, sigma, a), 1e-12);
        }
        RdpAccountant.Spent s = RdpAccountant.epsilon(1.0, sigma, 10, 1e-5, new double[] {8});
        double expected = 10 * 8 / (2 * sigma * sigma) - (Math.log(1e-5) + Math.log(8)) / 7 + Math.log(7.0 / 8);
        assertEquals(expected, s.epsilon(), 1e-12);
        assertEquals(8, s.order());
    }

    @Test
    void fractionalAndIntegerOrdersAgreeWhereTheyMeet() {
        for (double q : new double[] {0.001, 0.01, 0.1}) {
            for (double sigma : new double[] {0.7, 1.1, 4}) {
                for (int a : new int[] {2, 5, 17}) {
                    double integer = RdpAccountant.rdp(q, sigma, a);
                    double near = RdpAccountant.rdp(q, sigma, a + 1e-7);
                    assertEquals(integer, near, 1e-5 * Math.max(integer, 1e-12), q + " " + sigma + " " + a);
                }
            }
        }
        // more noise or less sampling never costs more privacy
        assertTrue(RdpAccountant.rdp(0.01, 2, 5.5) < RdpAccountant.rdp(0.01, 1, 5.5));
        assertTrue(RdpAccountant.rdp(0.005, 1, 5.5) < RdpAccountant.rdp(0.01, 1, 5.5));
    }

    @Test
    void calibrationRoundTripsAndTheAccountantComposes() {
        double sigma = RdpAccountant.noiseMultiplier(3.0, 0.04, 2250, 1e-5, ORDERS);
        assertTrue(RdpAccountant.epsilon(0.04, sigma, 2250, 1e-5, ORDERS).epsilon() <= 3.0);
        assertTrue(RdpAccountant.epsilon(0.04, sigma * (1 - 1e-6), 2250, 1e-5, ORDERS).epsilon() > 3.0);
        RdpAccountant acc = new RdpAccountant();
        acc.step(1.5, 0.04, 1000);
        acc.step(1.5, 0.04, 1250);
        assertEquals(2250, acc.steps());
        assertEquals(RdpAccountant.epsilon(0.04, 1.5, 2250, 1e-5, ORDERS).epsilon(), acc.spent(1e-5, ORDERS).epsilon(),
                1e-9);
        acc.step(3.0, 0.01, 100); // a second regime adds its own RDP
        assertTrue(acc.spent(1e-5, ORDERS).epsilon() > RdpAccountant.epsilon(0.04, 1.5, 2250, 1e-5, ORDERS).epsilon());
        assertEquals(0, new RdpAccountant().spent(1e-5, ORDERS).epsilon(), 1e-12);
    }

    /**
     * Extreme but valid numbers are computed in a stable form and bounded work: a noise multiplier
     * whose privacy loss exceeds the doubles gives Infinity at once (it used to run for 38 s and end
     * in an internal error), an order of 10^12 is refused up front, and step counts cannot overflow.
     */
    @Test
    void extremeValuesGiveStableResultsOrNamedRefusals() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            assertEquals(Double.POSITIVE_INFINITY, RdpAccountant.epsilon(256.0 / 60000, 1e-300, 235, 1e-5, ORDERS)
                    .epsilon());
            assertEquals(Double.POSITIVE_INFINITY, RdpAccountant.rdp(0.01, 1e-170, 1.5));
            double small = RdpAccountant.epsilon(256.0 / 60000, 0.05, 235, 1e-5, ORDERS).epsilon();
            assertTrue(Double.isFinite(small) && small > 100, "a small but representable noise: " + small);
            assertTrue(Double.isFinite(RdpAccountant.epsilon(0.01, 1, Long.MAX_VALUE, 1e-5, ORDERS).epsilon()));
        });
        assertMessage(() -> RdpAccountant.epsilon(0.04, 1, 10, 1e-5, new double[] {1e12}), "at most 10000");
        assertMessage(() -> RdpAccountant.rdp(0.04, 1, Double.POSITIVE_INFINITY), "at most 10000");
        RdpAccountant acc = new RdpAccountant();
        acc.step(1, 0.01, Long.MAX_VALUE - 5);
        assertMessage(() -> acc.step(2, 0.01, 10), "overflows a long");
        assertEquals(Long.MAX_VALUE - 5, acc.steps());
    }

    @Test
    void badValuesAreNamed() {
        assertMessage(() -> RdpAccountant.epsilon(0.04, 0, 10, 1e-5, ORDERS), "noise multiplier must be positive");
        assertMessage(() -> RdpAccountant.epsilon(0.04, -1, 10, 1e-5, ORDERS), "found -1.0");
        assertMessage(() -> RdpAccountant.epsilon(1.5, 1, 10, 1e-5, ORDERS), "sampling rate must be in (0, 1]");
        assertMessage(() -> RdpAccountant.epsilon(0, 1, 10, 1e-5, ORDERS), "sampling rate");
        assertMessage(() -> RdpAccountant.epsilon(0.04, 1, 10, 0, ORDERS), "delta must be in (0, 1)");
        assertMessage(() -> RdpAccountant.epsilon(0.04, 1, 10, 1, ORDERS), "delta");
        assertMessage(() -> RdpAccountant.epsilon(0.04, 1, 10, 1e-5, new double[] {0.5}), "orders must be above 1");
        assertMessage(() -> RdpAccountant.noiseMultiplier(0, 0.04, 10, 1e-5, ORDERS), "target epsilon must be positive");
        assertMessage(() -> RdpAccountant.noiseMultiplier(-1, 0.04, 10, 1e-5, ORDERS), "found -1.0");
    }
}
