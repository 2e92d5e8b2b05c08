package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Neural Cleanse's anomaly index on mask norms measured on full Fashion-MNIST (BENCHMARKS.md, `vet` on
 * full-data models), without reversing any trigger.
 */
class NeuralCleanseAnomalyIndexTest {

    /** The reversed masks' L1 norms of the 3-epoch CNN poisoned by BadNets at 1% with target 0. */
    private static final double[] BADNETS_1 = {16.0, 74.5, 68.4, 93.0, 73.0, 96.0, 51.7, 121.8, 74.4, 131.5};

    @Test
    void logNormsFindTheSmallTriggerThatRawNormsHide() {
        double[] index = NeuralCleanse.anomalyIndex(BADNETS_1);
        assertEquals(4.35, index[0], 0.01);
        for (int i = 1; i < index.length; i++) {
            assertTrue(index[i] < 2, "class " + i + ": " + index[i]);
        }
        // the paper's index on the raw norms: the large sneaker and boot masks widen the deviation past the trigger
        assertTrue(rawIndex(BADNETS_1)[0] < 2, "raw index " + rawIndex(BADNETS_1)[0]);
    }

    @Test
    void equalNormsAndEmptyMasks() {
        assertArrayEquals(new double[4], NeuralCleanse.anomalyIndex(new double[] {5, 5, 5, 5}));
        // an empty mask is taken at the smallest norm rather than at log 0
        double[] withEmpty = NeuralCleanse.anomalyIndex(new double[] {0, 60, 70, 80, 90});
        assertTrue(Double.isFinite(withEmpty[0]) && withEmpty[0] > 2, "empty mask " + withEmpty[0]);
        assertEquals(NeuralCleanse.anomalyIndex(new double[] {NeuralCleanse.SMALLEST_NORM, 60, 70, 80, 90})[0],
                withEmpty[0], 1e-12);
        double[] norms = BADNETS_1.clone();
        NeuralCleanse.anomalyIndex(norms);
        assertArrayEquals(BADNETS_1, norms, "the norms are not modified");
    }

    @Test
    void badNormsAreRefused() {
        assertMessage(() -> NeuralCleanse.anomalyIndex(new double[] {1, Double.NaN, 3}), "maskNorms");
        assertMessage(() -> NeuralCleanse.anomalyIndex(new double[] {1, -2, 3}), "maskNorms[1] must be >= 0, got -2.0");
    }

    private static double[] rawIndex(double[] norms) {
        org.apache.commons.math3.stat.descriptive.rank.Median m = new org.apache.commons.math3.stat.descriptive.rank.Median();
        double median = m.evaluate(norms);
        double[] dev = new double[norms.length];
        for (int i = 0; i < norms.length; i++) {
            dev[i] = Math.abs(norms[i] - median);
        }
        double mad = 1.4826 * m.evaluate(dev);
        double[] index = new double[norms.length];
        for (int i = 0; i < norms.length; i++) {
            index[i] = dev[i] / mad;
        }
        return index;
    }
}
