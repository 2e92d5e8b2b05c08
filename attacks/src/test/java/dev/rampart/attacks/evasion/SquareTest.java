package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class SquareTest extends EvasionAttackContract {

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return Square.builder(Fixtures.blackBox(model)).norm(norm).epsilon(epsilon).queries(300).batchSize(20).seed(5)
                .build();
    }

    @Test
    void reachesPgdAccuracyWithEnoughQueriesWithoutGradients() {
        LabeledData d = Fixtures.testSample(100);
        Classifier blackBox = Fixtures.blackBox(model);
        EvasionResult pgd = Pgd.builder(model).epsilon(0.1).steps(20).seed(1).build().run(d.features(), d.labels());
        EvasionResult sq = Square.builder(blackBox).epsilon(0.1).queries(1000).seed(1).build()
                .run(d.features(), d.labels());
        assertTrue(sq.robustAccuracy() <= pgd.robustAccuracy() + 0.05,
                "Square " + sq.robustAccuracy() + " vs PGD " + pgd.robustAccuracy());
        assertTrue(sq.gradientCalls() <= 1000L * d.size(), "queries within budget: " + sq.gradientCalls());
    }

    @Test
    void l2VersionStaysInBudgetAndLowersAccuracy() {
        LabeledData d = Fixtures.testSample(60);
        // count the rows the black box really answers, independently of the attack's own counter
        java.util.concurrent.atomic.AtomicLong asked = new java.util.concurrent.atomic.AtomicLong();
        Classifier inner = model.copy();
        Classifier counting = new dev.rampart.core.model.BlackBoxModel(x -> {
            asked.addAndGet(x.size(0));
            return inner.predictProbabilities(x);
        }, 10, model.inputShape(), model.domain());
        int queries = 300;
        double eps = 2.0;
        Square square = Square.builder(counting).norm(Norm.L2).epsilon(eps).queries(queries).seed(2).build();
        long before = asked.get();
        org.nd4j.linalg.api.ndarray.INDArray raw = square.ownStep(d.features(), AttackGoal.untargeted(d.labels()));
        long ownStepQueries = asked.get() - before;
        double[] rawNorms = Norm.L2.perExample(raw.sub(d.features()));
        for (int i = 0; i < d.size(); i++) {
            assertTrue(rawNorms[i] <= eps * (1 + 1e-5), "example " + i + " search left the L2 ball: " + rawNorms[i]);
        }
        // the search itself, clean predictions aside: at most `queries` per example
        assertTrue(ownStepQueries - d.size() <= (long) queries * d.size(),
                "queries asked " + (ownStepQueries - d.size()) + " > budget " + (long) queries * d.size());
        EvasionResult r = square.run(d.features(), d.labels());
        assertTrue(r.gradientCalls() <= (long) queries * d.size(), "reported queries " + r.gradientCalls());
        assertTrue(r.robustAccuracy() < r.cleanAccuracy() - 0.3, r.robustAccuracy() + " vs " + r.cleanAccuracy());
    }

    @Test
    void squareShareHalvesOnTheRescaledSchedule() {
        Square s = Square.builder(model).queries(1000).initialSquareShare(0.8).build();
        assertEquals(0.8, s.share(1), 1e-12);
        assertEquals(0.4, s.share(2), 1e-12);   // 2 of 1,000 is 20 of 10,000: past 10
        assertEquals(0.8 / 512, s.share(999), 1e-12);
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> Square.builder(model).queries(0).build(), "queries");
        assertMessage(() -> Square.builder(model).initialSquareShare(1.5).build(), "initialSquareShare");
        assertMessage(() -> Square.builder(model).epsilon(-1).build(), "epsilon");
        assertMessage(() -> Square.builder(null), "model");
    }
}
