package dev.rampart.defenses.training;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Gaussian data augmentation: the noise's scale, the domain, the seed and the share of the batch. */
class GaussianNoiseStepTest {

    private static final GradientClassifier MODEL = Fixtures.trainedCnn();

    @Test
    void noiseOfSigmaIsAddedClippedAndSeeded() {
        INDArray gray = Nd4j.valueArrayOf(new long[] {64, 1, 28, 28}, 0.5, DataType.FLOAT);
        INDArray before = gray.dup();
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 10);
        DataSet d = new GaussianNoiseStep(1.0).craft(MODEL, gray, y, 0.1, 7);
        assertEquals(before, gray, "the batch is not modified");
        INDArray delta = d.getFeatures().sub(gray);
        // sigma 0.1 around 0.5 stays inside [0, 1] almost always: the empirical sd is sigma's
        assertEquals(0.1, delta.stdNumber().doubleValue(), 0.002);
        assertEquals(0, delta.meanNumber().doubleValue(), 0.002);
        assertSame(y, d.getLabels(), "labels kept");
        DataSet wide = new GaussianNoiseStep(1.0).craft(MODEL, gray, y, 2.0, 7);
        assertTrue(wide.getFeatures().minNumber().doubleValue() >= 0 && wide.getFeatures().maxNumber().doubleValue() <= 1,
                "clipped to the model's domain");
        assertEquals(d.getFeatures(), new GaussianNoiseStep(1.0).craft(MODEL, gray, y, 0.1, 7).getFeatures(), "seeded");
        assertNotEquals(d.getFeatures(), new GaussianNoiseStep(1.0).craft(MODEL, gray, y, 0.1, 8).getFeatures());
    }

    @Test
    void aShareOfTheBatchGetsNoise() {
        INDArray gray = Nd4j.valueArrayOf(new long[] {40, 1, 28, 28}, 0.5, DataType.FLOAT);
        INDArray out = new GaussianNoiseStep(0.25).craft(MODEL, gray, Nd4j.zeros(DataType.FLOAT, 40, 10), 0.1, 3)
                .getFeatures();
        int changed = 0;
        for (int i = 0; i < 40; i++) {
            changed += out.slice(i).equals(gray.slice(i)) ? 0 : 1;
        }
        assertEquals(10, changed);
        assertSame(gray, new GaussianNoiseStep(1.0).craft(MODEL, gray, null, 0, 3).getFeatures(), "sigma 0: the batch");
        assertMessage(() -> new GaussianNoiseStep(0), "adversarialFraction must be in (0, 1], found 0.0");
    }
}
