package dev.rampart.defenses.poisoning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The deepened cut of a poisoned class and its precision estimate. */
class ReferenceCutTest {

    /**
     * A class of 4,000 clean scores and 800 poisoned ones shifted up by 4, against 500 trusted
     * clean scores: the estimated precision of the chosen cut counts the clean share above it 1.645
     * standard errors up (a one-sided 95% bound), and a larger margin cuts no deeper.
     */
    @Test
    void theDeepCutsPrecisionCountsTheCleanShareUpByTheMargin() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] s = new double[4800];
        for (int i = 0; i < s.length; i++) {
            s[i] = gaussian(rnd) + (i >= 4000 ? 4 : 0);
        }
        double[] t = new double[500];
        for (int i = 0; i < t.length; i++) {
            t[i] = gaussian(rnd);
        }
        ReferenceCut judged = ReferenceCut.judge(s, t, 0.01, 3);
        assertTrue(judged.poisoned(), judged.toString());
        ReferenceCut.Deep deep = judged.deepen(s, t, 0.01, 0.8, ReferenceCut.DEFAULT_MARGIN);
        double shareS = (double) ReferenceCut.above(s, deep.cut()) / s.length;
        double f = (double) ReferenceCut.above(t, deep.cut()) / t.length;
        double conservative = 1 - (1 - deep.poisonShare()) * (f + 1.645 * Math.sqrt(f * (1 - f) / t.length)) / shareS;
        assertEquals(conservative, deep.precision(), 1e-12, deep.toString());
        assertTrue(deep.precision() >= 0.8 && deep.cut() < judged.cut(), deep + " " + judged);
        // the point estimate at the same cut is higher: the cut stops earlier than it would
        assertTrue(1 - (1 - deep.poisonShare()) * f / shareS > deep.precision());

        // three standard errors: the same poison share, a higher cut, and its estimate counts three
        ReferenceCut.Deep three = judged.deepen(s, t, 0.01, 0.8, 3);
        double f3 = (double) ReferenceCut.above(t, three.cut()) / t.length;
        double s3 = (double) ReferenceCut.above(s, three.cut()) / s.length;
        assertEquals(deep.poisonShare(), three.poisonShare(), 0);
        assertTrue(three.cut() > deep.cut(), three + " " + deep);
        assertEquals(1 - (1 - three.poisonShare()) * (f3 + 3 * Math.sqrt(f3 * (1 - f3) / t.length)) / s3,
                three.precision(), 1e-12);
        // no margin: the point estimate, and a deeper cut
        assertTrue(judged.deepen(s, t, 0.01, 0.8, 0).cut() < deep.cut());
    }

    private static double gaussian(SplittableRandom rnd) {
        return dev.rampart.core.random.Seeds.gaussian(rnd);
    }

    @Test
    void aboveCountsStrictlyGreaterScores() {
        assertEquals(2, ReferenceCut.above(new double[] {1, 2, 3, 2.5}, 2));
        assertEquals(0, ReferenceCut.above(new double[0], 0));
    }
}
