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

/** Gaussian data augmentation (scale, domain, seed, share of the batch) and SmoothAdv's step. */
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
    void smoothAdvAttacksTheSmoothedClassifierAndTrainsOnEveryNoisyCopy() {
        dev.rampart.core.data.LabeledData d = Fixtures.testSample(32);
        INDArray x = d.features();
        INDArray before = x.dup();
        INDArray y = dev.rampart.core.model.Labels.oneHot(d.labels(), 10);
        SmoothAdvStep step = new SmoothAdvStep(4, 3, 0.25);
        DataSet clean = step.craft(MODEL, x, y, 0, 5);
        assertEquals(before, x, "the batch is not modified");
        assertEquals(96, clean.getFeatures().size(0), "three noisy copies per example");
        assertEquals(y.repeat(0, 3), clean.getLabels());
        // at epsilon 0 the copies are the clean images' Gaussian augmentation, the same draws
        assertEquals(GaussianNoiseStep.noisy(x.repeat(0, 3), 0.25, 5, MODEL.domain()), clean.getFeatures());
        DataSet adv = step.craft(MODEL, x, y, 1.0, 5);
        double pClean = MODEL.predictProbabilities(clean.getFeatures()).mul(clean.getLabels()).sum(1).meanNumber()
                .doubleValue();
        double pAdv = MODEL.predictProbabilities(adv.getFeatures()).mul(adv.getLabels()).sum(1).meanNumber()
                .doubleValue();
        assertTrue(pAdv < pClean - 0.05, "the smoothed probability of the label drops: " + pClean + " -> " + pAdv);
        // each copy is the adversarial point plus its draw: copy minus draw lies within epsilon of x
        INDArray shift = adv.getFeatures().sub(clean.getFeatures()).reshape(32, 3, 784);
        for (int i = 0; i < 32; i++) {
            double norm = shift.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).norm2Number().doubleValue();
            assertTrue(norm <= 1.0 + 1e-4, "example " + i + " moved " + norm);
        }
        assertMessage(() -> new SmoothAdvStep(2, 0, 0.25), "noiseSamples must be positive, found 0");
        assertMessage(() -> new SmoothAdvStep(2, 2, 0), "sigma must be positive and finite, found 0.0");
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
