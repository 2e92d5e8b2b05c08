package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class AttackGoalTest {

    @Test
    void aTargetEqualToTheTrueLabelIsRefusedNotCountedAsSuccess() {
        assertMessage(() -> AttackGoal.targeted(new int[] {3, 4, 5}, new int[] {1, 4, 2}),
                "targets[1] is 4, the example's own label");
        assertMessage(() -> AttackGoal.targeted(new int[] {3}, new int[] {-2}), "targets[0]");
        assertMessage(() -> AttackGoal.targeted(new int[] {3}, null), "targets");
        assertMessage(() -> AttackGoal.targeted(new int[] {3, 1}, new int[] {2}), "targets has 1 entries");
    }

    @Test
    void targetsBeyondTheModelsClassesAreRefusedByTheAttack() {
        GradientClassifier model = Fixtures.trainedCnn();
        LabeledData d = Fixtures.testSample(4);
        int[] targets = new int[4];
        for (int i = 0; i < 4; i++) {
            targets[i] = (d.labels()[i] + 1) % 10;
        }
        targets[2] = 10;
        assertMessage(() -> Pgd.builder(model).steps(2).build().run(d.features(), AttackGoal.targeted(d.labels(),
                targets)), "targets[2] must be in [0, 10)");
    }

    @Test
    void aGenuineTargetedRunDoesNotReportSuccessForFree() {
        GradientClassifier model = Fixtures.trainedCnn();
        LabeledData d = Fixtures.testSample(8);
        int[] targets = new int[8];
        for (int i = 0; i < 8; i++) {
            targets[i] = (d.labels()[i] + 5) % 10;
        }
        // a budget far too small to reach a distant class: success must stay near zero, robust accuracy at clean
        EvasionResult r = Pgd.builder(model).epsilon(1e-4).steps(2).build().run(d.features(),
                AttackGoal.targeted(d.labels(), targets));
        assertEquals(0.0, r.successRate());
        assertEquals(r.cleanAccuracy(), r.robustAccuracy());
        assertFalse(r.success()[0]);
    }
}
