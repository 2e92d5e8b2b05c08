package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class MiFgsmTest extends EvasionAttackContract {

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return MiFgsm.builder(model).norm(norm).epsilon(epsilon).steps(10).batchSize(20).build();
    }

    @Test
    void iteratesBetterThanOneFgsmStep() {
        LabeledData d = Fixtures.testSample(200);
        EvasionResult fgsm = Fgsm.builder(model).epsilon(0.05).build().run(d.features(), d.labels());
        EvasionResult mi = MiFgsm.builder(model).epsilon(0.05).steps(10).build().run(d.features(), d.labels());
        assertTrue(mi.robustAccuracy() < fgsm.robustAccuracy(), mi.robustAccuracy() + " vs " + fgsm.robustAccuracy());
        assertEquals(10L * d.size(), mi.gradientCalls());
    }

    @Test
    void zeroDecayIsIterativeFgsmAndDecayMatters() {
        LabeledData d = Fixtures.testSample(40);
        EvasionResult plain = MiFgsm.builder(model).epsilon(0.05).decay(0).build().run(d.features(), d.labels());
        EvasionResult momentum = MiFgsm.builder(model).epsilon(0.05).decay(1).build().run(d.features(), d.labels());
        assertTrue(!plain.adversarial().equals(momentum.adversarial()), "momentum changes the path");
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> MiFgsm.builder(model).steps(0).build(), "steps");
        assertMessage(() -> MiFgsm.builder(model).decay(-1).build(), "decay");
        assertMessage(() -> MiFgsm.builder(model).epsilon(Double.NaN).build(), "epsilon");
    }
}
