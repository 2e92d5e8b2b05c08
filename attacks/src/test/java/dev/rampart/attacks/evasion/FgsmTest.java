package dev.rampart.attacks.evasion;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;

class FgsmTest extends EvasionAttackContract {

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return Fgsm.builder(model).norm(norm).epsilon(epsilon).batchSize(20).build();
    }
}
