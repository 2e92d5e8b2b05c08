package dev.rampart.defenses.extraction;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each output defense on fixed probabilities, and the accuracy cost on the bundled model. */
class OutputDefensesTest {

    /** A 3-class black box that answers row i of {@code rows} for input i (inputs are [n, 1]). */
    private static Classifier fixed(double[][] rows) {
        return new BlackBoxModel(x -> Nd4j.createFromArray(java.util.Arrays.copyOf(rows, (int) x.size(0)))
                .castTo(DataType.FLOAT), 3, new long[] {1}, InputDomain.UNIT);
    }

    private static double[][] released(Classifier c, int n) {
        return c.predictProbabilities(Nd4j.zeros(DataType.FLOAT, n, 1)).castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static void near(double[] expected, double[] actual) {
        assertArrayEquals(expected, actual, 1e-6, java.util.Arrays.toString(actual));
    }

    @Test
    void documentedValuesOnFixedInputs() {
        Classifier v = fixed(new double[][] {{0.7, 0.2, 0.1}, {0.46, 0.455, 0.085}, {0.455, 0.46, 0.085}});
        near(new double[] {1, 0, 0}, released(new TopLabelOnly(v), 1)[0]);
        near(new double[] {0.7, 0.2, 0.1}, released(new RoundedProbabilities(v, 1), 1)[0]);
        near(new double[] {1, 0, 0}, released(new RoundedProbabilities(v, 0), 1)[0]);
        double[][] tied = released(new RoundedProbabilities(v, 1), 3);
        near(new double[] {0.5, 0.5, 0.1}, tied[1]);
        near(new double[] {0.5, 0.5, 0.1}, tied[2]);
        // rounding ties the top two; the released label stays the victim's
        assertArrayEquals(new int[] {0, 0, 1}, new RoundedProbabilities(v, 1).predictClasses(Nd4j.zeros(3, 1)));
        near(new double[] {1, 0, 0}, released(new ConfidenceCutoff(v, 0.25), 1)[0]);
        near(new double[] {0.7 / 0.9, 0.2 / 0.9, 0}, released(new ConfidenceCutoff(v, 0.15), 1)[0]);
        near(new double[] {0.6355238073613384, 0.2196353785803839, 0.14484081405827764},
                released(new ReverseSigmoid(v, 1.0, 0.1), 1)[0]);
        near(new double[] {0.7, 0.2, 0.1}, released(new GaussianNoise(v, 0, 1), 1)[0]);
        double[][] a = released(new GaussianNoise(v, 0.05, 7), 3);
        double[][] b = released(new GaussianNoise(v, 0.05, 7), 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a[i], b[i], "same seed, same noise");
            assertEquals(1.0, a[i][0] + a[i][1] + a[i][2], 1e-6);
            assertTrue(a[i][0] >= 0 && a[i][1] >= 0 && a[i][2] >= 0);
        }
        assertFalse(java.util.Arrays.equals(a[0], new double[] {0.7, 0.2, 0.1}));
    }

    @Test
    void defensesThatKeepTheTopLabelCostNoAccuracy() throws IOException {
        MultiLayerNetworkModel victim = BundledModels.referenceCnn();
        LabeledData test = FashionMnist.bundledTest();
        INDArray before = test.features().dup();
        double clean = Metrics.accuracy(victim.predictClasses(test.features()), test.labels());
        for (OutputDefense d : List.of(new TopLabelOnly(victim), new RoundedProbabilities(victim, 1),
                new RoundedProbabilities(victim, 0), new ConfidenceCutoff(victim, 0.5))) {
            assertTrue(d.keepsTopLabel());
            assertEquals(clean, Metrics.accuracy(d.predictClasses(test.features()), test.labels()), d.toString());
        }
        // reverse sigmoid and noise may move the label: their cost is measured, and small here
        for (OutputDefense d : List.of(new ReverseSigmoid(victim, 1.0, 0.1), new GaussianNoise(victim, 0.1, 3))) {
            assertFalse(d.keepsTopLabel());
            double acc = Metrics.accuracy(d.predictClasses(test.features()), test.labels());
            assertTrue(acc > clean - 0.1 && acc <= clean + 0.02, d + ": " + acc + " against " + clean);
        }
        assertEquals(before, test.features(), "the inputs are not modified");
    }

    @Test
    void badInputIsNamed() {
        Classifier v = fixed(new double[][] {{1, 0, 0}});
        assertMessage(() -> new RoundedProbabilities(v, -1), "decimals must be in [0, 15], found -1");
        assertMessage(() -> new GaussianNoise(v, -0.1, 1), "sigma must be non-negative and finite, found -0.1");
        assertMessage(() -> new GaussianNoise(v, Double.NaN, 1), "sigma must be non-negative and finite, found NaN");
        assertMessage(() -> new ConfidenceCutoff(v, 0), "cutoff must be in (0, 1], found 0.0");
        assertMessage(() -> new ReverseSigmoid(v, 0, 0.1), "beta must be positive and finite, found 0.0");
        assertMessage(() -> new ReverseSigmoid(v, 1, -1), "gamma must be positive and finite, found -1.0");
        assertMessage(() -> new TopLabelOnly(null), "victim must not be null");
    }
}
