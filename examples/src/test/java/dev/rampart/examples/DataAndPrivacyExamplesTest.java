package dev.rampart.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.examples.extraction.StealAndDefend;
import dev.rampart.examples.poisoning.BackdoorAndStrip;
import dev.rampart.examples.poisoning.CleanLabelPoisonFound;
import dev.rampart.examples.privacy.AuditPrivateTraining;
import dev.rampart.examples.privacy.MeasureLeakage;
import dev.rampart.examples.privacy.PrivateScatterNet;
import dev.rampart.examples.privacy.PrivateTraining;
import org.junit.jupiter.api.Test;

/**
 * Every example of privacy, inference, extraction and poisoning runs on the bundled sample and
 * shows what it claims (the others: {@link ExamplesTest}).
 */
class DataAndPrivacyExamplesTest {

    @Test
    void privateTrainingStaysWithinItsBudgetAndLearns() throws Exception {
        PrivateTraining.Result r = PrivateTraining.run(2000, 3, 3.0);
        assertTrue(r.epsilon() <= 3.0 + 1e-9, "epsilon " + r.epsilon());
        assertTrue(r.noiseMultiplier() > 0.3, "sigma " + r.noiseMultiplier());
        assertTrue(r.heldOutAccuracy() > 0.55, "held-out accuracy " + r.heldOutAccuracy());
    }

    @Test
    void aPrivateScatterNetLearnsAndIsAttackedThroughItsScatteringLayer() throws Exception {
        PrivateScatterNet.Result r = PrivateScatterNet.run(800, 5, 3.0, 20);
        assertTrue(r.epsilon() <= 3.0 + 1e-9, "epsilon " + r.epsilon());
        assertTrue(r.heldOutAccuracy() > 0.6, "held-out accuracy " + r.heldOutAccuracy());
        assertEquals(r.heldOutAccuracy(), r.imageAccuracy(), 1e-12, "the composed network predicts as the head");
        assertTrue(r.attackedRobust() < r.attackedClean() - 0.2, r.toString());
    }

    @Test
    void thePrivacyAuditCatchesTheBuggyRunAndNotTheCorrectOne() throws Exception {
        AuditPrivateTraining.Result r = AuditPrivateTraining.run(600, 120);
        assertTrue(r.buggy().epsilonLowerBound() > r.claimed(), r.buggy().toString());
        assertTrue(r.correct().epsilonLowerBound() <= r.claimed(), r.correct().toString());
        assertTrue(r.whiteBoxBuggy().epsilonLowerBound() > 2 * r.claimed(), r.whiteBoxBuggy().toString());
        assertTrue(r.whiteBoxCorrect().epsilonLowerBound() <= r.claimed(), r.whiteBoxCorrect().toString());
        assertTrue(r.whiteBoxBuggy().epsilonLowerBound() > r.buggy().epsilonLowerBound(), "white box is tighter");
    }

    @Test
    void measureLeakageFindsMembersAndInvertsAClass(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path png = dir.resolve("trouser.png");
        MeasureLeakage.Result r = MeasureLeakage.run(150, 4, 20, png);
        assertTrue(r.lira().auc() > 0.6, "LiRA AUC " + r.lira().auc());
        assertTrue(r.lossThreshold().auc() > 0.55, "loss-threshold AUC " + r.lossThreshold().auc());
        assertTrue(r.inversionConfidence() > 0.9, "inversion confidence " + r.inversionConfidence());
        assertTrue(javax.imageio.ImageIO.read(png.toFile()).getWidth() == 28, "a 28x28 PNG");
    }

    @Test
    void theModelIsStolenThroughTheReverseSigmoidAndPradaSeesTheProbe() throws Exception {
        StealAndDefend.Result r = StealAndDefend.run(1000);
        assertTrue(r.undefended().queries() == 1000 && r.defended().queries() == 1000);
        assertTrue(r.undefended().fidelity() > 0.8, r.undefended().toString());
        // the reverse sigmoid keeps the top label: trained for 10 epochs, the substitute still agrees
        assertTrue(Math.abs(r.defended().fidelity() - r.undefended().fidelity()) < 0.05,
                r.defended() + " against " + r.undefended());
        // ... while at a quarter of the budget the distorted probabilities cost it
        assertTrue(r.defended().curve().get(0).fidelity() < r.undefended().curve().get(0).fidelity(),
                r.defended().curve() + " against " + r.undefended().curve());
        assertTrue(r.naturalAlarms() == 0, r.naturalAlarms() + " natural alarms");
        assertTrue(r.alarm() != null && r.alarm().queries() <= 800, String.valueOf(r.alarm()));
    }

    @Test
    void aBackdoorIsPlantedAndStripCatchesItsTriggers() throws Exception {
        BackdoorAndStrip.Result r = BackdoorAndStrip.run(2000, 6);
        assertTrue(r.attackSuccess() > 0.9, "attack success " + r.attackSuccess());
        assertTrue(r.cleanAccuracy() > 0.7, "clean accuracy " + r.cleanAccuracy());
        assertTrue(r.flaggedTriggered() > 0.8, "triggered flagged " + r.flaggedTriggered());
        assertTrue(r.flaggedClean() < 0.12, "clean flagged " + r.flaggedClean());
    }

    @Test
    void cleanLabelPoisonIsFoundAgainstTrustedImages() throws Exception {
        CleanLabelPoisonFound.Result r = CleanLabelPoisonFound.run(3, 0.05);
        assertEquals(java.util.List.of(3), r.judged());
        assertTrue(r.score().recall() > 0.9 && r.score().precision() > 0.6, r.score().toString());
        assertEquals(0, r.controlFlagged());
    }
}
