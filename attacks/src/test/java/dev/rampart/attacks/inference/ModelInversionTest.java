package dev.rampart.attacks.inference;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

class ModelInversionTest {

    private static final int[] ALL = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

    @Test
    void whiteBoxInversionReachesHighConfidenceInsideTheDomain() throws IOException {
        GradientClassifier cnn = Fixtures.trainedCnn();
        ModelInversion.Result r = ModelInversion.whiteBox(cnn).with(new ModelInversion.Config(300, 0.1, 50, 0.99, 1e-3))
                .invert(ALL);
        assertEquals(10, r.inversions().size());
        for (ModelInversion.Inversion inv : r.inversions()) {
            assertTrue(inv.confidence() > 0.9, "class " + inv.label() + " confidence " + inv.confidence());
            assertTrue(inv.image().minNumber().doubleValue() >= 0 && inv.image().maxNumber().doubleValue() <= 1);
            double p = cnn.predictProbabilities(inv.image()).getDouble(0, inv.label());
            assertEquals(p, inv.confidence(), 1e-5, "the reported confidence is the model's");
        }
        List<ModelInversion.Similarity> sim = ModelInversion.similarity(r, FashionMnist.bundledTrain());
        assertEquals(10, sim.size());
        for (ModelInversion.Similarity s : sim) {
            assertTrue(s.cosine() >= -1 && s.cosine() <= 1 && s.meanSquaredError() >= 0);
        }
    }

    @Test
    void queryOnlyInversionClimbsAndRoundedOutputsStopIt() {
        GradientClassifier cnn = Fixtures.trainedCnn();
        ModelInversion.Config config = new ModelInversion.Config(15, 0.1, 15, 0.99, 1e-2);
        int[] classes = {1, 7};
        Classifier plain = Fixtures.blackBox(cnn);
        Classifier rounded = new BlackBoxModel(x -> Transforms.round(cnn.predictProbabilities(x).muli(10)).divi(10),
                10, cnn.inputShape(), cnn.domain());
        double start = plain.predictProbabilities(grey(cnn)).getDouble(0, 1);
        ModelInversion.Result free = ModelInversion.queryOnly(plain).with(config).invert(classes);
        ModelInversion.Result blocked = ModelInversion.queryOnly(rounded).with(config).invert(classes);
        double p1 = free.inversions().get(0).confidence();
        assertTrue(p1 > start + 0.2, "query-only inversion climbs from " + start + " to " + p1);
        INDArray unchanged = blocked.inversions().get(0).image();
        assertEquals(0, unchanged.sub(grey(cnn)).norm1Number().doubleValue(), 1e-6,
                "rounding to one decimal leaves no difference to follow");
        assertEquals(2L * 16 * (1 + 2 * 784), free.queries());
    }

    @Test
    void badInputIsNamed() {
        GradientClassifier cnn = Fixtures.trainedCnn();
        assertMessage(() -> new ModelInversion.Config(0, 0.1, 1, 0.9, 1e-3), "maxSteps must be positive, found 0");
        assertMessage(() -> new ModelInversion.Config(1, -0.1, 1, 0.9, 1e-3), "stepSize must be positive and finite");
        assertMessage(() -> new ModelInversion.Config(1, 0.1, 0, 0.9, 1e-3), "patience must be positive, found 0");
        assertMessage(() -> new ModelInversion.Config(1, 0.1, 1, 1.5, 1e-3), "targetConfidence must be in (0, 1]");
        assertMessage(() -> new ModelInversion.Config(1, 0.1, 1, 0.9, Double.NaN), "differenceStep must be positive");
        assertMessage(() -> ModelInversion.whiteBox(cnn).invert(new int[] {10}), "classes");
        assertMessage(() -> ModelInversion.whiteBox(cnn).invert(new int[0]), "classes must not be empty");
        LabeledData onlyZeros = new LabeledData("z", Fixtures.testSample(2).features(), new int[] {0, 0}, 10);
        ModelInversion.Result r = ModelInversion.whiteBox(cnn).with(new ModelInversion.Config(1, 0.1, 1, 0.9, 1e-3))
                .invert(new int[] {3});
        assertMessage(() -> ModelInversion.similarity(r, onlyZeros), "reference has no example of class 3");
    }

    private static INDArray grey(Classifier m) {
        return org.nd4j.linalg.factory.Nd4j.valueArrayOf(new long[] {1, 1, 28, 28}, 0.5, m.dataType());
    }
}
