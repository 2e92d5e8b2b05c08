package dev.rampart.core.metric;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void wilsonIntervalMatchesTheFormulaAndStaysInsideZeroOne() {
        // 75.6% of 1,000 at 95%: centre (p + z^2/2n)/(1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2)/(1 + z^2/n)
        double z = 1.959963984540054;
        double p = 0.756;
        int n = 1000;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        double[] ci = Metrics.wilson(756, 1000, 0.95);
        assertEquals(centre - half, ci[0], 1e-9);
        assertEquals(centre + half, ci[1], 1e-9);
        double[] zero = Metrics.wilson(0, 1000, 0.95);
        assertEquals(0, zero[0], 1e-12);
        assertTrue(zero[1] > 0.003 && zero[1] < 0.004, "0 of 1,000 still has an upper bound: " + zero[1]);
        assertEquals(1, Metrics.wilson(50, 50, 0.95)[1], 1e-12);
        assertMessage(() -> Metrics.wilson(3, 2, 0.95), "successes");
        assertMessage(() -> Metrics.wilson(1, 2, 1.0), "confidence");
    }
}
