package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.report.Provenance;
import dev.rampart.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Trigger explanation through the poison-detector contract, with a scan that reports a 4x4 white
 * corner patch as class 0's trigger (its own test on a real backdoor is in PoisonDetectorsTest).
 */
class TriggerExplanationTest extends PoisonDetectorContract {

    /** A Neural Cleanse report that flags class 0 with a white 4x4 patch at (23, 23). */
    static NeuralCleanse.Report scanFlaggingClassZero(ActivationModel model) {
        List<NeuralCleanse.Trigger> triggers = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            INDArray mask = Nd4j.zeros(DataType.FLOAT, 1, 28, 28);
            mask.get(NDArrayIndex.all(),
                    NDArrayIndex.interval(23, 27),
                    NDArrayIndex.interval(23, 27)).assign(1);
            INDArray pattern = Nd4j.ones(DataType.FLOAT, 1, 28, 28);
            triggers.add(new NeuralCleanse.Trigger(c, mask, pattern, 16, 0.5));
        }
        double[] anomaly = new double[10];
        anomaly[0] = 3;
        return new NeuralCleanse.Report(triggers, anomaly, new int[] {0},
                NeuralCleanse.builder((GradientClassifier) model).build().config(),
                Provenance.current());
    }

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return TriggerExplanation.builder(model, scanFlaggingClassZero(model), Fixtures.testSample(1000).slice(500,
                1000)).build();
    }

    @Test
    void onlyTheFlaggedClassIsExaminedAndItsClearedImagesStayUnflagged() {
        PoisonReport r = make(model, 1).detect(data);
        for (PoisonReport.ClassSummary c : r.classes()) {
            if (c.label() != 0) {
                assertEquals(0, c.flagged(), "class " + c.label() + " is not a reversed target");
                assertEquals(PoisonReport.Verdict.CLEAN, c.verdict());
            }
        }
        // clean class-0 images are at the 1% tail of the clean sample's projections at most, far
        // from all of them
        PoisonReport.ClassSummary zero = r.classes().get(0);
        assertTrue(zero.flagged() <= Math.max(3, zero.examples() / 10), zero.toString());
    }

    @Test
    void aFlaggedClassWhoseTrainingImagesTheTriggerExplainsNoMoreThanItsCleanOnesIsLeftAlone() {
        // the scan calls class 0 backdoored, but the training images are the clean sample itself:
        // the class holds no excess beyond the clean cut, so nothing is flagged (at a 10% clean cut,
        // a tenth of them lie beyond it, as many as of the clean ones)
        LabeledData clean = Fixtures.testSample(1000).slice(500, 1000);
        PoisonReport r = TriggerExplanation.builder(model, scanFlaggingClassZero(model), clean).falsePositiveRate(0.1)
                .build().detect(clean);
        PoisonReport.ClassSummary zero = r.classes().get(0);
        assertTrue(Arrays.stream(r.scores()).filter(v -> v > zero.figures().get("threshold")).count() >= 3,
                "clean training images lie beyond the clean cut: " + zero);
        assertEquals(0, zero.flagged(), zero.toString());
        assertEquals(PoisonReport.Verdict.CLEAN, zero.verdict(), zero.toString());
        assertTrue(zero.figures().get("excessZ") <= 3, zero.toString());
        assertEquals(3, ((TriggerExplanation.Config) r.config()).excessZ());
        assertMessage(() -> TriggerExplanation.builder(model, scanFlaggingClassZero(model), clean).excessZ(-1).build(),
                "excessZ");
    }

    @Test
    void aCleanSampleWithoutTheTargetClassIsRefused() {
        LabeledData clean = Fixtures.testSample(1000);
        int[] keep = java.util.stream.IntStream.range(0, clean.size()).filter(i -> clean.labels()[i] != 0).toArray();
        LabeledData noZero = new LabeledData("no class 0", Rows.gather(clean.features(), keep),
                Rows.pick(clean.labels(), keep), 10);
        assertMessage(() -> TriggerExplanation.builder(model, scanFlaggingClassZero(model), noZero).build(),
                "images of class 0 (flagged by the scan)");
    }
}
