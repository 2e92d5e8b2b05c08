package dev.rampart.defenses.poisoning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The deepened cut of a poisoned class and its precision estimate. */
class ReferenceCutTest {

    /**
     * A class of 4,000 clean scores and 400 poisoned ones shifted up by 4, against 500 trusted
     * clean scores: the estimated precision of the chosen cut counts the clean share above it one
     * standard error up, and the next lower cut would fall under the target.
     */
    @Test
    void theDeepCutsPrecisionCountsTheCleanShareOneStandardErrorUp() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] s = new double[4400];
        for (int i = 0; i < s.length; i++) {
            s[i] = gaussian(rnd) + (i >= 4000 ? 4 : 0);
        }
        double[] t = new double[500];
        for (int i = 0; i < t.length; i++) {
            t[i] = gaussian(rnd);
        }
        ReferenceCut judged = ReferenceCut.judge(s, t, 0.01, 3);
        assertTrue(judged.poisoned(), judged.toString());
        ReferenceCut.Deep deep = judged.deepen(s, t, 0.01, 0.8);
        double shareS = (double) ReferenceCut.above(s, deep.cut()) / s.length;
        double f = (double) ReferenceCut.above(t, deep.cut()) / t.length;
        double conservative = 1 - (1 - deep.poisonShare()) * (f + Math.sqrt(f * (1 - f) / t.length)) / shareS;
        assertEquals(conservative, deep.precision(), 1e-12, deep.toString());
        assertTrue(deep.precision() >= 0.8 && deep.cut() < judged.cut(), deep + " " + judged);
        // the point estimate at the same cut is higher: the cut stops earlier than it would
        assertTrue(1 - (1 - deep.poisonShare()) * f / shareS > deep.precision());

        // two standard errors: the same poison share, a cut no deeper, and its estimate counts two
        ReferenceCut.Deep two = judged.deepen(s, t, 0.01, 0.8, 2);
        double f2 = (double) ReferenceCut.above(t, two.cut()) / t.length;
        double s2 = (double) ReferenceCut.above(s, two.cut()) / s.length;
        assertEquals(deep.poisonShare(), two.poisonShare(), 0);
        assertTrue(two.cut() > deep.cut(), two + " " + deep);
        assertEquals(1 - (1 - two.poisonShare()) * (f2 + 2 * Math.sqrt(f2 * (1 - f2) / t.length)) / s2,
                two.precision(), 1e-12);
        // no margin: the point estimate, and a cut at least as deep
        assertTrue(judged.deepen(s, t, 0.01, 0.8, 0).cut() <= deep.cut());
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
