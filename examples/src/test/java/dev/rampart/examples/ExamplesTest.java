package dev.rampart.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.examples.certification.CertifyWithSmoothing;
import dev.rampart.examples.certification.VerifyWithBounds;
import dev.rampart.examples.detection.DetectAdversarialInputs;
import dev.rampart.examples.evaluation.EvaluateRobustness;
import dev.rampart.examples.evasion.EvasionQuickstart;
import dev.rampart.examples.federated.RobustAggregation;
import dev.rampart.examples.training.AdversarialTrainingCost;
import dev.rampart.examples.model.WrapYourNetwork;
import dev.rampart.examples.integrity.SignedModelRelease;
import org.junit.jupiter.api.Test;

/**
 * Every example of evasion, certification, detection, training, wrapping, federated learning and
 * integrity runs on the bundled sample and shows what it claims (the others: {@link
 * DataAndPrivacyExamplesTest}; two classes, so that the two test JVMs share them).
 */
class ExamplesTest {

    @Test
    void evasionQuickstartOrdersTheAttacks() throws Exception {
        EvasionQuickstart.Result r = EvasionQuickstart.run(150, 0.1);
        assertTrue(r.clean() > 0.8, "clean " + r.clean());
        assertTrue(r.fgsm() < r.clean(), r.fgsm() + " vs " + r.clean());
        assertTrue(r.pgd() <= r.fgsm(), r.pgd() + " vs " + r.fgsm());
        assertTrue(r.fooledExample() >= 0 && r.fooledAs() >= 0);
    }

    @Test
    void smoothingCertifiesAndNoAttackInsideACertificateChangesTheClass() throws Exception {
        CertifyWithSmoothing.Result r = CertifyWithSmoothing.run(3000, 3, 50, 1000);
        assertTrue(r.noiseTrained().certifiedAccuracy(0) >= 0.5, "certified at 0: " + r.noiseTrained().certifiedAccuracy(0));
        assertTrue(r.noiseTrained().certifiedAccuracy(CertifyWithSmoothing.PGD_RADIUS) >= 0.4,
                "certified at 0.25: " + r.noiseTrained().certifiedAccuracy(CertifyWithSmoothing.PGD_RADIUS));
        // n = 1000 and alpha = 0.001 cap every radius at sigma * 2.46 = 0.62
        assertEquals(0, r.noiseTrained().certifiedAccuracy(0.7));
        assertTrue(r.attacked() >= 5, "attacked inside certificates: " + r.attacked());
        assertEquals(0, r.broken(), "certificates broken by an attack");
    }

    @Test
    void verifyWithBounds() throws Exception {
        VerifyWithBounds.Result r = VerifyWithBounds.run(3000, 2, 200);
        assertTrue(r.ibpCrown().cleanAccuracy() >= 0.5, "clean accuracy " + r.ibpCrown().cleanAccuracy());
        assertTrue(r.ibpCrown().verifiedAccuracy(0) >= 0.3, "verified by CROWN " + r.ibpCrown().verifiedAccuracy(0));
        assertTrue(r.ibpCrown().verifiedAccuracy(0) >= r.ibpIbp().verifiedAccuracy(0), "CROWN below IBP");
        assertTrue(r.ibpCrown().verifiedAccuracy(0) > r.standardCrown().verifiedAccuracy(0) + 0.1,
                "interval training adds verified examples: " + r.standardCrown().verifiedAccuracy(0));
        assertTrue(r.pgdRobust() >= r.ibpCrown().verifiedAccuracy(0), "verified above PGD's robust accuracy");
        assertEquals(0, r.broken(), "verified examples broken by PGD");
    }

    @Test
    void robustAggregationResistsWhereFedAvgFalls() throws Exception {
        RobustAggregation.Result r = RobustAggregation.run(4);
        // measured: clean 0.736, sign flipping 0.022 (FedAvg) and 0.626 (median), backdoor 0.50 and 0.18
        assertTrue(r.clean() > 0.65, "FedAvg without attackers: " + r.clean());
        assertTrue(r.fedAvgSignFlip() < 0.2, "FedAvg under sign flipping: " + r.fedAvgSignFlip());
        assertTrue(r.medianSignFlip() > 0.5, "median under sign flipping: " + r.medianSignFlip());
        assertTrue(r.fedAvgBackdoor() > 0.4, "FedAvg's backdoor success: " + r.fedAvgBackdoor());
        assertTrue(r.boundedBackdoor() < r.fedAvgBackdoor() - 0.2, "norm bounding's backdoor success: "
                + r.boundedBackdoor());
    }

    @Test
    void featureSqueezingFlagsAdversarialExamplesMoreThanCleanOnes() throws Exception {
        DetectAdversarialInputs.Result r = DetectAdversarialInputs.run(300, 300);
        assertTrue(r.falsePositiveRate() < 0.12, "false positives " + r.falsePositiveRate());
        assertTrue(r.weakPgdDetection() > 3 * r.falsePositiveRate(),
                r.weakPgdDetection() + " vs " + r.falsePositiveRate());
    }

    @Test
    void adversarialTrainingBuysRobustness() throws Exception {
        AdversarialTrainingCost.Row[] rows = AdversarialTrainingCost.run("mlp", 1500, 2, 200);
        AdversarialTrainingCost.Row standard = rows[0];
        for (int i = 1; i < rows.length; i++) {
            assertTrue(rows[i].robustAccuracy() > standard.robustAccuracy(),
                    rows[i].name() + " " + rows[i].robustAccuracy() + " vs " + standard.robustAccuracy());
        }
    }

    @Test
    void robustnessEvaluationRunsTheEnsembleAndMinimumNormAttacks() throws Exception {
        EvaluateRobustness.Result r = EvaluateRobustness.run(60, 0.1, true);
        assertTrue(r.report().robustAccuracy() < 0.2, "the standard CNN is not robust at 0.1: "
                + r.report().robustAccuracy());
        assertTrue(r.report().warnings().isEmpty(), r.report().warnings().toString());
        assertTrue(r.cwMedianL2() > 0 && r.cwMedianL2() < 3, "C&W median " + r.cwMedianL2());
        assertTrue(r.deepFoolMedianL2() > 0 && r.deepFoolMedianL2() < 3, "DeepFool median " + r.deepFoolMedianL2());
        assertTrue(r.blackBoxSquare() < r.report().cleanAccuracy() - 0.3, "Square " + r.blackBoxSquare());
    }

    @Test
    void wrappedNetworkIsAttackedWithoutBeingChanged() throws Exception {
        WrapYourNetwork.Result r = WrapYourNetwork.run(1000, 100);
        assertTrue(r.cleanAccuracy() > 0.6, "clean " + r.cleanAccuracy());
        assertTrue(r.robustAccuracy() < r.cleanAccuracy(), r.robustAccuracy() + " vs " + r.cleanAccuracy());
        assertTrue(r.gradientsRepeat());
        assertTrue(r.parametersUnchanged());
    }

    @Test
    void aSignedModelLoadsAndATamperedOneIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        SignedModelRelease.Result r = SignedModelRelease.run(dir);
        assertTrue(r.loadedClasses() == 10);
        assertTrue(r.refusal() != null && r.refusal().contains("model.zip: content differs from what was signed"),
                String.valueOf(r.refusal()));
    }
}
