package dev.rampart.defenses.extraction;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.random.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What every output defense must satisfy, on a 5-class victim over 4 inputs whose answers range
 * from near one-hot to exactly uniform (the all-zero input ties every class): released rows are
 * probability distributions; the released label is the top released probability, and equals the
 * victim's top-1 whenever the defense says it {@link OutputDefense#keepsTopLabel keeps it}; its
 * {@link OutputDefense#config() config} rebuilds the same defense; answers do not depend on the
 * batch, on views or on memory order; the queries are not modified; a victim that releases a
 * negative probability is refused. A defense's test supplies {@link #make}.
 */
public abstract class OutputDefenseContract {

    /** Softmax of {@code 6 * W x}: peaked rows, flat rows, and ties at x = 0. */
    protected static final Classifier VICTIM = new BlackBoxModel(x -> {
        INDArray w = Nd4j.createFromArray(new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1},
            {0.5f, 0.5f, -0.5f, -0.5f}});
        return org.nd4j.linalg.ops.transforms.Transforms.softmax(x.reshape(x.size(0), 4).mmul(w.transpose()).muli(6));
    }, 5, new long[] {4}, InputDomain.UNIT);

    /** The defense under test in front of {@code victim}. */
    protected abstract OutputDefense make(Classifier victim);

    /** How far a released row's sum may be from 1 (default 1e-6). */
    protected double sumTolerance() {
        return 1e-6;
    }

    /** 300 seeded inputs in [0, 1], the all-zero input first and the all-one input second. */
    protected static INDArray queries() {
        SplittableRandom rnd = Seeds.random(17);
        float[][] x = new float[300][4];
        for (int i = 2; i < x.length; i++) {
            for (int k = 0; k < 4; k++) {
                x[i][k] = i % 3 == 0 ? (float) Math.round(rnd.nextDouble()) : (float) rnd.nextDouble();
            }
        }
        java.util.Arrays.fill(x[1], 1f);
        return Nd4j.createFromArray(x);
    }

    private static double[][] rows(INDArray p) {
        return p.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    @Test
    void releasedRowsAreProbabilityDistributions() {
        double[][] p = rows(make(VICTIM).predictProbabilities(queries()));
        assertEquals(300, p.length);
        for (int i = 0; i < p.length; i++) {
            assertEquals(5, p[i].length);
            double sum = 0;
            for (double v : p[i]) {
                assertTrue(Double.isFinite(v) && v >= 0 && v <= 1 + 1e-9, "row " + i + ": " + v);
                sum += v;
            }
            assertEquals(1, sum, sumTolerance(), "row " + i + " sums to " + sum);
        }
    }

    @Test
    void theReleasedLabelIsTheTopReleasedProbabilityAndKeepsTopLabelIsTruthful() {
        INDArray x = queries();
        OutputDefense d = make(VICTIM);
        // two fresh defenses from one config answer alike (noise defenses draw by row number)
        int[] labels = d.config().wrap(VICTIM).predictClasses(x);
        double[][] p = rows(d.config().wrap(VICTIM).predictProbabilities(x));
        int[] victimTop = VICTIM.predictClasses(x);
        for (int i = 0; i < labels.length; i++) {
            double best = java.util.Arrays.stream(p[i]).max().getAsDouble();
            assertEquals(best, p[i][labels[i]], 0, "row " + i + ": label " + labels[i] + " is not a top probability");
            if (p[i][victimTop[i]] == best) {
                assertEquals(victimTop[i], labels[i], "row " + i + ": a tie goes to the victim's top-1");
            }
        }
        if (d.keepsTopLabel()) {
            assertArrayEquals(victimTop, labels, "the defense says it keeps the top label");
        }
    }

    @Test
    void itsConfigRebuildsTheSameDefense() {
        OutputDefense d = make(VICTIM);
        OutputDefense again = d.config().wrap(VICTIM);
        assertEquals(d.config(), again.config());
        assertEquals(d.getClass(), again.getClass());
        assertEquals(d.keepsTopLabel(), again.keepsTopLabel());
        assertEquals(make(VICTIM).predictProbabilities(queries()), again.predictProbabilities(queries()));
        assertMessage(() -> d.config().wrap(null), "victim must not be null");
    }

    @Test
    void answersDoNotDependOnTheBatchOnViewsOrOnMemoryOrder() {
        INDArray x = queries();
        INDArray before = x.dup();
        INDArray whole = make(VICTIM).predictProbabilities(x);
        OutputDefense rowByRow = make(VICTIM);
        INDArray[] parts = new INDArray[300];
        for (int i = 0; i < 300; i++) {
            parts[i] = rowByRow.predictProbabilities(x.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all()));
        }
        assertEquals(whole, Nd4j.concat(0, parts), "row by row equals the whole batch");
        INDArray wide = Nd4j.concat(0, x, x);
        assertEquals(whole, make(VICTIM).predictProbabilities(wide.get(NDArrayIndex.interval(300, 600),
                NDArrayIndex.all())), "a view");
        assertEquals(whole, make(VICTIM).predictProbabilities(x.dup('f')), "Fortran order");
        assertEquals(before, x, "the queries are not modified");
    }

    @Test
    void aVictimThatReleasesANegativeProbabilityIsRefused() {
        Classifier broken = new BlackBoxModel(x -> Nd4j.createFromArray(new float[][] {{1.2f, -0.2f, 0, 0, 0}}),
                5, new long[] {4}, InputDomain.UNIT);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> make(broken).predictProbabilities(Nd4j.zeros(DataType.FLOAT, 1, 4)));
        assertTrue(e.getMessage().contains("the victim gave -0.2"), e.getMessage());
        assertMessage(() -> make(null), "victim must not be null");
    }
}
