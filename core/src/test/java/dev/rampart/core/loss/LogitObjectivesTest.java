package dev.rampart.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.Labels;
import dev.rampart.core.testing.Errors;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every objective's gradient against central differences of its value, and its defining properties. */
class LogitObjectivesTest {

    private static final int[] LABELS = {0, 3, 7, 9};
    private static final int[] TARGETS = {5, 1, 2, 0};

    private static INDArray logits(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, 4, 10).muli(3);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        INDArray p = Nd4j.nn().softmax(logits(5), 1);
        Map<String, LogitObjective> all = Map.of(
                "crossEntropy", LogitObjectives.crossEntropy(LABELS),
                "softCrossEntropy", LogitObjectives.softCrossEntropy(p),
                "dlr", LogitObjectives.dlr(LABELS),
                "targetedDlr", LogitObjectives.targetedDlr(LABELS, TARGETS),
                "margin", LogitObjectives.margin(LABELS, 100),
                "targetedMargin", LogitObjectives.targetedMargin(TARGETS, 100),
                "klDivergence", LogitObjectives.klDivergence(p),
                "linear", LogitObjectives.linear(logits(6)));
        INDArray z = logits(4);
        for (Map.Entry<String, LogitObjective> e : all.entrySet()) {
            LogitObjective.Value v = e.getValue().evaluate(z);
            double h = 1e-6;
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 10; j++) {
                    INDArray plus = z.dup();
                    plus.putScalar(i, j, z.getDouble(i, j) + h);
                    INDArray minus = z.dup();
                    minus.putScalar(i, j, z.getDouble(i, j) - h);
                    double numeric = (e.getValue().evaluate(plus).value().getDouble(i)
                            - e.getValue().evaluate(minus).value().getDouble(i)) / (2 * h);
                    assertEquals(numeric, v.gradient().getDouble(i, j), 1e-5, e.getKey() + " at " + i + "," + j);
                }
            }
        }
    }

    @Test
    void crossEntropyAndKlHaveTheirKnownValues() {
        INDArray z = logits(7);
        INDArray p = Nd4j.nn().softmax(z.dup(), 1);
        LogitObjective.Value ce = LogitObjectives.crossEntropy(LABELS).evaluate(z);
        for (int i = 0; i < 4; i++) {
            assertEquals(-Math.log(p.getDouble(i, LABELS[i])), ce.value().getDouble(i), 1e-9);
        }
        assertEquals(0, LogitObjectives.klDivergence(p).evaluate(z).value().maxNumber().doubleValue(), 1e-12);
        INDArray soft = LogitObjectives.softCrossEntropy(Labels.oneHot(LABELS, 10).castTo(DataType.DOUBLE))
                .evaluate(z).value();
        assertTrue(soft.equalsWithEps(ce.value(), 1e-12));
    }

    @Test
    void dlrIsInvariantToShiftAndScale() {
        INDArray z = logits(8);
        INDArray moved = z.mul(7.5).addi(-3);
        assertTrue(LogitObjectives.dlr(LABELS).evaluate(z).value()
                .equalsWithEps(LogitObjectives.dlr(LABELS).evaluate(moved).value(), 1e-9));
        assertTrue(LogitObjectives.targetedDlr(LABELS, TARGETS).evaluate(z).value()
                .equalsWithEps(LogitObjectives.targetedDlr(LABELS, TARGETS).evaluate(moved).value(), 1e-9));
    }

    @Test
    void marginStopsAtKappa() {
        INDArray z = Nd4j.createFromArray(new double[][] {{5, 0, 0}, {0, 5, 0}});
        LogitObjective.Value v = LogitObjectives.margin(new int[] {0, 0}, 1).evaluate(z);
        assertEquals(5, v.value().getDouble(0), 1e-12);   // correct with margin 5
        assertEquals(-1, v.value().getDouble(1), 1e-12);  // misclassified by 5, floored at -kappa
        assertEquals(0, v.gradient().getRow(1).norm1Number().doubleValue(), 0);
    }

    @Test
    void badArgumentsAreNamed() {
        INDArray z = logits(9);
        Errors.assertMessage(() -> LogitObjectives.margin(LABELS, -1), "kappa");
        Errors.assertMessage(() -> LogitObjectives.targetedDlr(LABELS, new int[] {1, 3, 0, 0}), "targets[1] equals labels[1]");
        Errors.assertMessage(() -> LogitObjectives.crossEntropy(new int[] {12, 0, 0, 0}).evaluate(z), "labels[0] = 12");
        Errors.assertMessage(() -> LogitObjectives.crossEntropy(new int[] {1, 2}).evaluate(z), "[2, classes]");
        Errors.assertMessage(() -> LogitObjectives.dlr(new int[] {0}).evaluate(Nd4j.createFromArray(new double[][] {{1, 2}})), "dlr needs at least 3 classes");
        assertThrows(IllegalArgumentException.class,
                () -> LogitObjectives.linear(Nd4j.ones(4, 3)).evaluate(z));
    }
}
