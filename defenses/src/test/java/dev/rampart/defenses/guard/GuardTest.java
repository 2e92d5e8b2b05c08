package dev.rampart.defenses.guard;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One guard for every screen: flagging answers and reports, refusing stops the batch before the model. */
class GuardTest {

    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong recorded = new AtomicLong();

    /** Two inputs, two classes: class 1 when x0 > x1; the model counts the rows it sees. */
    private final Classifier model = new BlackBoxModel(x -> {
        seen.addAndGet(x.size(0));
        INDArray p = Nd4j.zeros(DataType.FLOAT, x.size(0), 2);
        for (int i = 0; i < x.size(0); i++) {
            p.putScalar(i, x.getDouble(i, 0) > x.getDouble(i, 1) ? 1 : 0, 1);
        }
        return p;
    }, 2, new long[] {2}, InputDomain.UNIT);

    /** Flags rows whose first value is above 0.9; counts the rows it is told were answered. */
    private final Screen bright = new Screen() {
        @Override
        public double[] score(INDArray x) {
            return x.getColumn(0).castTo(DataType.DOUBLE).toDoubleVector();
        }

        @Override
        public boolean[] flag(double[] scores) {
            boolean[] f = new boolean[scores.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = scores[i] > 0.9;
            }
            return f;
        }

        @Override
        public void answered(INDArray x, INDArray probabilities) {
            recorded.addAndGet(x.size(0));
        }
    };

    private static INDArray batch() {
        return Nd4j.createFromArray(new float[][] {{0.2f, 0.1f}, {0.95f, 0.1f}, {0.1f, 0.3f}});
    }

    @Test
    void aFlaggingGuardAnswersEverythingAndReportsTheFlags() {
        Guard guard = Guard.flagging(model, bright);
        INDArray x = batch();
        INDArray before = x.dup();
        Guard.Decisions d = guard.decide(x);
        assertArrayEquals(new int[] {1, 1, 0}, d.classes());
        assertArrayEquals(new boolean[] {false, true, false}, d.flagged());
        assertArrayEquals(new int[] {1}, d.flaggedRows());
        assertArrayEquals(new int[] {1, 1, 0}, guard.predictClasses(x));
        assertEquals(before, x, "the queries are not modified");
        assertEquals(6, seen.get());
        assertEquals(6, recorded.get(), "the screen hears of every answered batch");
    }

    @Test
    void aRefusingGuardStopsAFlaggedBatchBeforeTheModelSeesIt() {
        Guard guard = Guard.refusing(model, bright);
        RefusedQueryException e = assertThrows(RefusedQueryException.class, () -> guard.predictProbabilities(batch()));
        assertArrayEquals(new int[] {1}, e.rows());
        assertTrue(e.getMessage().contains("1 flagged query (rows [1])"), e.getMessage());
        assertEquals(0, seen.get());
        assertEquals(0, recorded.get());
        // a clean batch passes; decide never refuses
        assertArrayEquals(new int[] {1, 0}, guard.predictClasses(Nd4j.createFromArray(new float[][] {{0.2f, 0.1f},
            {0.1f, 0.3f}})));
        assertArrayEquals(new boolean[] {false, true, false}, guard.decide(batch()).flagged());
        assertEquals(Guard.Policy.REFUSE, guard.copy() instanceof Guard g ? g.policy() : null);
    }

    @Test
    void aScreenThatMiscountsAndBadArgumentsAreNamed() {
        Screen short1 = new Screen() {
            @Override
            public double[] score(INDArray x) {
                return new double[1];
            }

            @Override
            public boolean[] flag(double[] scores) {
                return new boolean[scores.length];
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Guard.flagging(model, short1).decide(batch()));
        assertEquals("the screen gave 1 scores for a batch of 3", e.getMessage());
        assertMessage(() -> Guard.flagging(null, bright), "model must not be null");
        assertMessage(() -> Guard.refusing(model, null), "screen must not be null");
        assertMessage(() -> Guard.flagging(model, bright).decide(Nd4j.zeros(DataType.FLOAT, 3, 5)), "x must have shape");
    }
}
