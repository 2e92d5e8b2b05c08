package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.poisoning.CleanLabelBackdoor;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trusted contrast, through the poison-detector contract, and on the bundled sample with SIG,
 * the clean-label attack whose labels fit its images, so that the label check passes it by
 * construction.
 */
class TrustedContrastTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return TrustedContrast.builder(trusted(400)).seed(seed).build();
    }

    @Override
    @Test
    void dataThatDoesNotFitTheModelIsRefusedByName() {
        PoisonDetector d = make(model, 3);
        assertMessage(() -> d.detect(null), "data must not be null");
        LabeledData three = new LabeledData("three", Fixtures.testSample(60).features(), new int[60], 3);
        assertMessage(() -> d.detect(three), "data (three) has examples of shape [1, 28, 28] in 3 classes, the trusted"
                + " set [1, 28, 28] in 10");
    }

    @Test
    void findsTheSigSignalInItsClassAndLeavesCleanDataAlone() throws IOException {
        LabeledData train = FashionMnist.bundledTrain();
        TrustedContrast contrast = TrustedContrast.builder(trusted(1000)).seed(1).build();
        PoisonReport control = contrast.detect(train);
        assertEquals(0, control.flaggedCount(), control.classes().toString());
        assertTrue(control.classes().stream().noneMatch(PoisonReport.ClassSummary::suspicious));

        // SIG at 5% of the set, all of it on dresses (about half of the class): the labels are right
        CleanLabelBackdoor sig = CleanLabelBackdoor.sig(Trigger.signal(0.08, 6), Trigger.signal(0.12, 6), 3, 0.05, 7);
        PoisonedData poisoned = sig.poison(train);
        INDArray before = poisoned.data().features().dup();
        PoisonReport r = contrast.detect(poisoned.data());
        assertEquals(before, poisoned.data().features(), "the data is not modified");
        List<Integer> judged = r.classes().stream().filter(PoisonReport.ClassSummary::suspicious)
                .map(PoisonReport.ClassSummary::label).toList();
        assertEquals(List.of(3), judged, r.classes().toString());
        PoisonReport.Score s = r.against(poisoned.poisonedMask());
        assertTrue(s.recall() >= 0.9 && s.precision() >= 0.65, s.toString());
        double pi = r.classes().get(3).figures().get("estimatedPoisonShare");
        assertTrue(pi > 0.3 && pi < 0.7, "estimated poison share " + pi);

        // without the per-feature scale, the sinusoid's low-variance directions are not learned in time
        PoisonReport raw = TrustedContrast.builder(trusted(1000)).stdFloor(0).seed(1).build().detect(poisoned.data());
        assertTrue(raw.against(poisoned.poisonedMask()).recall() < s.recall(), raw.classes().get(3).toString());
    }

    @Test
    void badInputIsNamed() {
        LabeledData t = trusted(400);
        assertMessage(() -> TrustedContrast.builder(null), "trusted");
        assertMessage(() -> TrustedContrast.builder(t).folds(1).build(), "folds must be in [2, 20], found 1");
        assertMessage(() -> TrustedContrast.builder(t).l2(0).build(), "l2 must be positive and finite, found 0.0");
        assertMessage(() -> TrustedContrast.builder(t).stdFloor(-1).build(),
                "stdFloor must be non-negative and finite, found -1.0");
        assertMessage(() -> TrustedContrast.builder(t).iterations(0).build(), "iterations must be in [1, 100000], found 0");
        assertMessage(() -> TrustedContrast.builder(t).iterations(Integer.MAX_VALUE).build(),
                "iterations must be in [1, 100000], found 2147483647");
        assertMessage(() -> TrustedContrast.builder(t).falsePositiveRate(Double.NaN).build(),
                "falsePositiveRate must be in (0, 0.5), found NaN");
        assertMessage(() -> TrustedContrast.builder(t).targetPrecision(1.5).build(),
                "targetPrecision must be in (0, 1], found 1.5");
        LabeledData few = t.head(100);
        int[][] byClass = Pca.byClass(few.labels(), 10);
        int first = 0;
        while (byClass[first].length >= TrustedContrast.MIN_TRUSTED_PER_CLASS) {
            first++;
        }
        int c = first;
        assertMessage(() -> TrustedContrast.builder(few).build(), "has " + byClass[c].length + " examples of class " + c
                + ", the detector needs at least 20 of every class");
    }
}
