package dev.rampart.attacks.evasion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class PgdTest extends EvasionAttackContract {

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return Pgd.builder(model).norm(norm).epsilon(epsilon).steps(10).batchSize(20).seed(3).build();
    }

    @Test
    void pgdIsAtLeastAsStrongAsFgsmWhichBeatsClean() {
        LabeledData d = Fixtures.testSample(200);
        double eps = 0.1;
        EvasionResult fgsm = Fgsm.builder(model).epsilon(eps).build().run(d.features(), d.labels());
        EvasionResult pgd = Pgd.builder(model).epsilon(eps).steps(20).seed(1).build().run(d.features(), d.labels());
        assertTrue(fgsm.robustAccuracy() < fgsm.cleanAccuracy(), fgsm.robustAccuracy() + " vs " + fgsm.cleanAccuracy());
        assertTrue(pgd.robustAccuracy() <= fgsm.robustAccuracy(), pgd.robustAccuracy() + " vs " + fgsm.robustAccuracy());
    }

    @Test
    void restartsKeepThePerExampleWorstCase() {
        LabeledData d = Fixtures.testSample(60);
        double eps = 0.04; // weak enough that restarts matter
        Pgd one = Pgd.builder(model).epsilon(eps).steps(5).restarts(1).seed(9).build();
        Pgd four = Pgd.builder(model).epsilon(eps).steps(5).restarts(4).seed(9).build();
        EvasionResult r1 = one.run(d.features(), d.labels());
        EvasionResult r4 = four.run(d.features(), d.labels());
        for (int i = 0; i < d.size(); i++) {
            assertTrue(!r1.success()[i] || r4.success()[i], "restart 0 is shared: example " + i + " was fooled before");
        }
        assertTrue(r4.successRate() >= r1.successRate());
    }

    @Test
    void earlyStopSavesWorkAndNeverLowersSuccess() {
        LabeledData d = Fixtures.testSample(60);
        EvasionResult full = Pgd.builder(model).epsilon(0.1).steps(20).seed(4).build().run(d.features(), d.labels());
        EvasionResult early = Pgd.builder(model).epsilon(0.1).steps(20).seed(4).earlyStop(true).build()
                .run(d.features(), d.labels());
        assertTrue(early.gradientCalls() < full.gradientCalls(), early.gradientCalls() + " vs " + full.gradientCalls());
        assertTrue(early.successRate() >= full.successRate(), early.successRate() + " vs " + full.successRate());
        assertEquals(20L * d.size(), full.gradientCalls());
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pgd.builder(model).steps(0).build())
                .getMessage().contains("steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pgd.builder(model).restarts(0).build())
                .getMessage().contains("restarts"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pgd.builder(model).stepSize(-1).build())
                .getMessage().contains("stepSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pgd.builder(model).batchSize(0).build())
                .getMessage().contains("batchSize"));
    }

    @Test
    void blackBoxModelIsRefusedWhenTheAttackIsBuilt() {
        Classifier blackBox = new BlackBoxModel(model::predictProbabilities, 10, new long[] {1, 28, 28},
                InputDomain.UNIT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pgd.builder(blackBox));
        assertTrue(e.getMessage().contains("PGD") && e.getMessage().contains("BlackBoxModel"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fgsm.builder(blackBox));
    }

    @Test
    void withEpsilonKeepsTheRelativeStep() {
        Pgd pgd = Pgd.builder(model).epsilon(0.1).steps(10).build();
        Pgd wider = pgd.withEpsilon(0.2);
        assertEquals(0.2, wider.epsilon());
        assertEquals(2 * pgd.config().stepSize(), wider.config().stepSize(), 1e-12);
    }
}
