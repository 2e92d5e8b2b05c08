package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Defenses that judge the model rather than its data, on the stored backdoored CNN of {@link
 * BackdooredSample}: Neural Cleanse finds the target and unlearning removes the backdoor, STRIP flags
 * triggered inputs at run time (the data-level detectors: {@link PoisonDetectorsTest}).
 */
class BackdooredModelTest extends BackdooredSample {

    @Test
    void stripFlagsTriggeredInputsAtRunTime() throws IOException {
        LabeledData heldOut = FashionMnist.bundledTest();
        BadNets attack = BackdooredSample.attack();
        dev.rampart.defenses.detection.Strip strip = dev.rampart.defenses.detection.Strip.builder(backdoored)
                .overlays(clean.features()).samples(40).falsePositiveRate(0.05).seed(3)
                .fit(heldOut.slice(0, 400).features());
        LabeledData triggered = attack.attackTest(heldOut.slice(400, 700));
        double detected = dev.rampart.core.metric.Metrics.share(strip.flag(triggered.features()), null);
        double falseAlarms = dev.rampart.core.metric.Metrics.share(strip.flag(heldOut.slice(700, 1000).features()),
                null);
        assertTrue(detected > 0.8, "triggered inputs flagged: " + detected);
        assertTrue(falseAlarms < 0.12, "clean inputs flagged: " + falseAlarms);
        assertMessage(() -> dev.rampart.defenses.detection.Strip.builder(backdoored).overlays(clean.features())
                .samples(0).fit(heldOut.features()), "samples must be in [1, 3000]");
        assertMessage(() -> dev.rampart.defenses.detection.Strip.builder(backdoored).overlays(clean.features())
                .falsePositiveRate(0.001).fit(heldOut.slice(0, 100).features()), "needs at least 1000");
    }

    @Test
    void neuralCleanseFindsTheTargetClassAndUnlearningRemovesTheBackdoor() throws IOException {
        LabeledData heldOut = FashionMnist.bundledTest();
        NeuralCleanse nc = NeuralCleanse.builder(backdoored).steps(120).seed(2).build();
        NeuralCleanse.Report r = nc.scan(clean.slice(0, 1000));
        assertTrue(java.util.Arrays.equals(new int[] {0}, r.flagged()), r.toString());
        // the clean model's scan on half the images: no class stands out either way, at half the cost
        NeuralCleanse.Report c = NeuralCleanse.builder(cleanModel).steps(120).seed(2).build().scan(clean.slice(0, 500));
        assertEquals(0, c.flagged().length, c.toString());

        // the reversed trigger explains the poisoned training examples
        PoisonReport explained = TriggerExplanation.builder(backdoored, r, heldOut.slice(0, 1000)).build()
                .detect(poisoned.data());
        PoisonReport.Score es = explained.against(poisoned.poisonedMask());
        assertTrue(es.recall() > 0.9 && es.precision() > 0.8, es + " " + explained.classes().get(0));
        assertEquals(es.flagged(), explained.classes().get(0).flagged(), "only the scan's target class");
        assertMessage(() -> TriggerExplanation.builder(backdoored, r, heldOut.slice(0, 5)).build(),
                "images of class 0 (flagged by the scan)");

        BadNets attack = BackdooredSample.attack();
        LabeledData triggered = attack.attackTest(heldOut.slice(0, 500));
        MultiLayerNetworkModel copy = backdoored.copy();
        double asrBefore = dev.rampart.core.metric.Metrics.accuracy(copy.predictClasses(triggered.features()),
                triggered.labels());
        double accBefore = dev.rampart.core.metric.Metrics.accuracy(copy.predictClasses(heldOut.slice(500, 1500)
                .features()), heldOut.slice(500, 1500).labels());
        new NeuralCleanse.Unlearning(0.2, 2, 64, 3).apply(copy, clean.slice(0, 1000), r.triggers().get(0));
        double asrAfter = dev.rampart.core.metric.Metrics.accuracy(copy.predictClasses(triggered.features()),
                triggered.labels());
        double accAfter = dev.rampart.core.metric.Metrics.accuracy(copy.predictClasses(heldOut.slice(500, 1500)
                .features()), heldOut.slice(500, 1500).labels());
        assertTrue(asrAfter < 0.5 * asrBefore, "attack success " + asrBefore + " -> " + asrAfter);
        assertTrue(accAfter > accBefore - 0.05, "clean accuracy " + accBefore + " -> " + accAfter);
    }
}
