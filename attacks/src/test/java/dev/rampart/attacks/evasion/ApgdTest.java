package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class ApgdTest extends EvasionAttackContract {

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return Apgd.builder(model).norm(norm).epsilon(epsilon).steps(20).batchSize(20).seed(3).build();
    }

    @Test
    void checkpointsFollowThePaper() {
        // p = 0, 0.22, 0.41, 0.57, 0.7, 0.8, 0.87, 0.93, 0.99 of 100 iterations
        assertArrayEquals(new int[] {22, 41, 57, 70, 80, 87, 93, 99}, Apgd.checkpoints(100));
    }

    @Test
    void atLeastAsStrongAsPgdAtEqualGradientBudget() {
        LabeledData d = Fixtures.testSample(200);
        double eps = 0.05;
        EvasionResult pgd = Pgd.builder(model).epsilon(eps).steps(20).seed(1).build().run(d.features(), d.labels());
        EvasionResult ce = Apgd.builder(model).epsilon(eps).steps(20).seed(1).build().run(d.features(), d.labels());
        EvasionResult dlr = Apgd.builder(model).epsilon(eps).steps(20).loss(Apgd.Loss.DLR).seed(1).build()
                .run(d.features(), d.labels());
        assertTrue(ce.robustAccuracy() <= pgd.robustAccuracy(), ce.robustAccuracy() + " vs PGD " + pgd.robustAccuracy());
        assertTrue(dlr.robustAccuracy() < dlr.cleanAccuracy() - 0.3, "DLR " + dlr.robustAccuracy());
        assertTrue(ce.gradientCalls() <= 20L * d.size(), "early stop spends at most steps per example");
    }

    @Test
    void targetedDlrRunsFoolWhatTheyTarget() {
        LabeledData d = Fixtures.testSample(100);
        EvasionResult t = Apgd.builder(model).epsilon(0.05).steps(20).loss(Apgd.Loss.DLR).targetClasses(3).seed(2)
                .build().run(d.features(), d.labels());
        EvasionResult one = Apgd.builder(model).epsilon(0.05).steps(20).loss(Apgd.Loss.DLR).seed(2).build()
                .run(d.features(), d.labels());
        assertEquals("APGD-T-20", t.attack());
        assertTrue(t.robustAccuracy() <= one.robustAccuracy() + 0.02, t.robustAccuracy() + " vs " + one.robustAccuracy());
    }

    @Test
    void sweepGivesOneResultPerEpsilonAndAccuracyFallsWithEpsilon() {
        LabeledData d = Fixtures.testSample(100);
        EpsilonSweep s = Apgd.builder(model).steps(10).seed(4).build()
                .sweep(d.features(), AttackGoal.untargeted(d.labels()), 0.02, 0.05, 0.1);
        assertArrayEquals(new double[] {0.02, 0.05, 0.1}, s.epsilons());
        double[] acc = s.robustAccuracy();
        assertTrue(acc[0] >= acc[1] && acc[1] >= acc[2], java.util.Arrays.toString(acc));
        assertEquals(100, s.success().length);
        assertEquals(s.at(1).success()[7], s.success()[7][1]);
        assertMessage(() -> Apgd.builder(model).build().sweep(d.features(), AttackGoal.untargeted(d.labels())),
                "epsilons");
        assertMessage(() -> Apgd.builder(model).build().sweep(d.features(), AttackGoal.untargeted(d.labels()), 0.1,
                -1), "epsilons[1]");
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> Apgd.builder(model).steps(0).build(), "steps");
        assertMessage(() -> Apgd.builder(model).restarts(-2).build(), "restarts");
        assertMessage(() -> Apgd.builder(model).targetClasses(3).build(), "targetClasses needs loss DLR");
        assertMessage(() -> Apgd.builder(model).loss(Apgd.Loss.DLR).targetClasses(10).build(), "targetClasses");
        assertMessage(() -> Apgd.builder(Fixtures.blackBox(model)).build(), "APGD needs a model with input gradients");
    }
}
