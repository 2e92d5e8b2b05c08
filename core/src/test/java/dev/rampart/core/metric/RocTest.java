package dev.rampart.core.metric;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RocTest {

    @Test
    void perfectSeparationAndItsReverse() {
        Roc r = Roc.of(new double[] {3, 4, 5}, new double[] {0, 1, 2});
        assertEquals(1.0, r.auc(), 0);
        assertEquals(1.0, r.advantage(), 0);
        assertEquals(1.0, r.tprAtFpr(0), 0);
        Roc w = Roc.of(new double[] {0, 1, 2}, new double[] {3, 4, 5});
        assertEquals(0.0, w.auc(), 0);
        assertEquals(0.0, w.tprAtFpr(0.5), 0);
    }

    @Test
    void tiesCountOneHalf() {
        // every pair tied: AUC 1/2, and no threshold separates anything
        Roc r = Roc.of(new double[] {1, 1}, new double[] {1, 1, 1});
        assertEquals(0.5, r.auc(), 0);
        assertEquals(0.0, r.advantage(), 0);
        assertArrayEquals(new double[] {0, 1}, r.fpr(), 0);
        assertArrayEquals(new double[] {0, 1}, r.tpr(), 0);
    }

    @Test
    void aucIsTheMannWhitneyProbability() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] p = new double[300];
        double[] n = new double[200];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.floor(rnd.nextGaussian() * 3 + 1); // integer scores: many ties
        }
        for (int i = 0; i < n.length; i++) {
            n[i] = Math.floor(rnd.nextGaussian() * 3);
        }
        double wins = 0;
        for (double a : p) {
            for (double b : n) {
                wins += a > b ? 1 : a == b ? 0.5 : 0;
            }
        }
        assertEquals(wins / (p.length * n.length), Roc.of(p, n).auc(), 1e-12);
    }

    @Test
    void lowFalsePositiveRatesTakeTheBestThresholdBelowTheBound() {
        // positives 10, 9, 8, 2; negatives 7, 1, 0, ...: one false positive (1/8 FPR) lets in three positives more
        Roc r = Roc.of(new double[] {10, 9, 2, 8}, new double[] {7, 1, 0, 0, 0, 0, 0, 0});
        assertEquals(0.75, r.tprAtFpr(0), 0);
        assertEquals(0.75, r.tprAtFpr(0.1), 0);
        assertEquals(1.0, r.tprAtFpr(0.25), 0);
        assertEquals(1.0 - 0.125, r.advantage(), 1e-12);
        assertEquals(8, r.negatives());
        assertArrayEquals(new double[] {0.75, 0, 0.875}, Roc.ratesAbove(new double[] {10, 9, 2, 8},
                new double[] {7, 1, 0, 0, 0, 0, 0, 0}, 7.5), 1e-12);
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> Roc.of(new double[0], new double[] {1}), "positives must not be empty");
        assertMessage(() -> Roc.of(new double[] {1}, new double[] {Double.NaN}), "negatives[0] is NaN");
        assertMessage(() -> Roc.of(new double[] {1}, new double[] {0}).tprAtFpr(1.5), "maxFpr must be in [0, 1], found 1.5");
    }
}
