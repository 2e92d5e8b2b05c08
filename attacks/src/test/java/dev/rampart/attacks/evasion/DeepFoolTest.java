package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class DeepFoolTest extends EvasionAttackContract {

    @Override
    protected double reorderTolerance(Norm norm) {
        return 1e-3; // its step uses the gradients' magnitudes, in either norm
    }

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return DeepFool.builder(model).norm(norm).epsilon(epsilon).batchSize(16).build();
    }

    @Override
    protected boolean supportsTargeted() {
        return false;
    }

    @Test
    void unboundedRunFoolsNearlyEveryExampleJustPastTheBoundary() {
        LabeledData d = Fixtures.testSample(60);
        for (Norm norm : Norm.values()) {
            EvasionResult r = DeepFool.builder(model).norm(norm).build().run(d.features(), d.labels());
            assertTrue(r.successRate() > 0.9, norm + " success " + r.successRate());
            // a small overshoot: pulling each successful perturbation back by a third un-fools most
            org.nd4j.linalg.api.ndarray.INDArray back = d.features().add(r.adversarial().sub(d.features()).muli(0.66));
            int[] predicted = model.predictClasses(back);
            int restored = 0;
            int fooled = 0;
            for (int i = 0; i < d.size(); i++) {
                if (r.success()[i] && r.cleanPredictions()[i] == d.labels()[i]) {
                    fooled++;
                    restored += predicted[i] == d.labels()[i] ? 1 : 0;
                }
            }
            assertTrue(restored > fooled / 2, norm + ": " + restored + " of " + fooled + " restored");
        }
    }

    @Test
    void targetedGoalsAndBadSettingsAreRefused() {
        LabeledData d = Fixtures.testSample(4);
        int[] targets = new int[4];
        for (int i = 0; i < 4; i++) {
            targets[i] = (d.labels()[i] + 1) % 10;
        }
        assertMessage(() -> DeepFool.builder(model).build().run(d.features(), AttackGoal.targeted(d.labels(), targets)),
                "untargeted");
        assertMessage(() -> DeepFool.builder(model).overshoot(-0.1).build(), "overshoot");
        assertMessage(() -> DeepFool.builder(model).maxIterations(0).build(), "maxIterations");
    }
}
