package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.testing.Fixtures;
import dev.rampart.defenses.detection.Strip;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What the poisoning defenses do with inputs at the edges: activations that are all alike, data
 * whose class count is not the model's, views of larger arrays, masks outside [0, 1]. No report
 * may hold NaN, no error may come from a library underneath without saying what it was about.
 */
class DetectorInputsTest {

    private final MultiLayerNetworkModel model = Fixtures.trainedCnn();

    @Test
    void aScoreCountsTheFlagsAgainstTheTruthAndRefusesAMismatch() {
        boolean[] flagged = {true, true, false, true, false};
        boolean[] poisoned = {true, false, true, true, false};
        PoisonReport.Score s = PoisonReport.Score.of(flagged, poisoned);
        assertEquals(2, s.truePositives());
        assertEquals(3, s.flagged());
        assertEquals(3, s.poisoned());
        assertEquals(2.0 / 3, s.recall(), 1e-12);
        assertEquals(2.0 / 3, s.precision(), 1e-12);
        assertEquals(0.5, s.falsePositiveRate(), 1e-12);
        assertTrue(Double.isNaN(PoisonReport.Score.of(new boolean[2], new boolean[2]).recall()));
        assertMessage(() -> PoisonReport.Score.of(flagged, new boolean[4]), "one entry per example (5), found 4");
        assertMessage(() -> PoisonReport.Score.of(flagged, null), "found null");
        assertMessage(() -> PoisonReport.Score.of(null, poisoned), "flagged must not be null");
    }

    @Test
    void identicalActivationsGiveAReportWithoutNaN() {
        LabeledData sample = Fixtures.testSample(1);
        INDArray same = Nd4j.repeat(sample.features(), 60).reshape(60, 1, 28, 28);
        int[] y = new int[60];
        for (int i = 0; i < 60; i++) {
            y[i] = i % 10;
        }
        LabeledData constant = new LabeledData("constant", same, y, 10);
        for (PoisonDetector d : List.<PoisonDetector>of(ActivationClustering.builder(model).build(),
                SpectralSignatures.builder(model).expectedPoisonRate(0.2).build())) {
            PoisonReport r = d.detect(constant);
            for (double s : r.scores()) {
                assertTrue(Double.isFinite(s), r.detector() + ": score " + s);
            }
            for (PoisonReport.ClassSummary c : r.classes()) {
                assertFalse(c.detail().contains("NaN"), r.detector() + ": " + c.detail());
                assertFalse(c.suspicious(), "identical examples are no poison cluster");
            }
        }
    }

    @Test
    void dataOfAnotherClassCountIsRefusedByName() {
        LabeledData three = new LabeledData("three", Fixtures.testSample(30).features(), new int[30], 3);
        assertMessage(() -> ActivationClustering.builder(model).build().detect(three),
                "data (three) has 3 classes but the model has 10");
        assertMessage(() -> KnnLabelNoise.builder(model).build().detect(three), "has 3 classes but the model has 10");
        assertMessage(() -> NeuralCleanse.builder(model).steps(1).build().scan(three),
                "has 3 classes but the model has 10");
        assertMessage(() -> SpectralSignatures.builder(model).build().detect(three, Nd4j.zeros(30, 4)),
                "has 3 classes but the model has 10");
        LabeledData ten = Fixtures.testSample(30);
        INDArray nan = Nd4j.zeros(30, 4);
        nan.putScalar(3, 1, Double.NaN);
        assertMessage(() -> SpectralSignatures.builder(model).build().detect(ten, nan), "representations holds 1 NaN");
    }

    @Test
    void stripTakesRowsOfALargerArray() {
        LabeledData d = Fixtures.testSample(120);
        INDArray pool = d.features().get(NDArrayIndex.interval(0, 60));
        INDArray clean = d.features().get(NDArrayIndex.interval(60, 110));
        Strip fromViews = Strip.builder(model).overlays(pool).samples(20).falsePositiveRate(0.1).seed(3).fit(clean);
        Strip fromCopies = Strip.builder(model).overlays(pool.dup()).samples(20).falsePositiveRate(0.1).seed(3)
                .fit(clean.dup());
        assertEquals(fromCopies.threshold(), fromViews.threshold(), 0);
        INDArray probe = d.features().get(NDArrayIndex.interval(110, 120));
        assertArrayEquals(fromCopies.score(probe.dup()), fromViews.score(probe), 0);
    }

    @Test
    void neuralCleanseTriggersAreChecked() {
        INDArray mask = Nd4j.zeros(1, 28, 28);
        INDArray pattern = Nd4j.zeros(1, 28, 28);
        mask.putScalar(new long[] {0, 3, 3}, 1.5);
        assertMessage(() -> new NeuralCleanse.Trigger(0, mask, pattern, 1.5, 1), "mask values must be in [0, 1]");
        INDArray nanPattern = pattern.dup();
        nanPattern.putScalar(new long[] {0, 1, 1}, Double.NaN);
        assertMessage(() -> new NeuralCleanse.Trigger(0, Nd4j.zeros(1, 28, 28), nanPattern, 0, 1), "pattern holds 1 NaN");
        assertMessage(() -> new NeuralCleanse.Trigger(0, Nd4j.zeros(1, 28, 28), Nd4j.zeros(1, 27, 28), 0, 1),
                "pattern must be [c, 28, 28]");
        NeuralCleanse.Trigger ok = new NeuralCleanse.Trigger(0, Nd4j.zeros(1, 28, 28), pattern, 0, 1);
        assertMessage(() -> ok.apply(Nd4j.zeros(2, 3, 28, 28)), "x must be [n, 1, 28, 28]");
        LabeledData d = Fixtures.testSample(20);
        assertEquals(d.features(), ok.apply(Rows.gather(d.features(), Rows.all(20))), "an empty mask changes nothing");
    }
}
