package dev.rampart.attacks.evasion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class HopSkipJumpTest extends EvasionAttackContract {

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        // batches of 20, as the contract's parts are: an example's queries share a model call with its
        // batch's, and a point on the boundary may change side with the call's other rows
        return HopSkipJump.builder(Fixtures.blackBox(model)).epsilon(epsilon).queries(150).batchSize(20).seed(5)
                .build();
    }

    @Override
    protected boolean supports(Norm norm) {
        return norm == Norm.L2;
    }

    /** A model that tells only its top class: probability 1 on it, 0 elsewhere. */
    private Classifier labelOnly(AtomicLong asked) {
        Classifier inner = model.copy();
        return new BlackBoxModel(x -> {
            asked.addAndGet(x.size(0));
            return Labels.oneHot(inner.predictClasses(x), inner.numClasses()).castTo(x.dataType());
        }, 10, model.inputShape(), model.domain());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Test
    void labelsAloneGiveTheSameAttackAndEveryQueryIsCounted() {
        LabeledData d = Fixtures.testSample(12);
        AtomicLong asked = new AtomicLong();
        int queries = 400;
        EvasionResult onLabels = HopSkipJump.builder(labelOnly(asked)).queries(queries).seed(3).build()
                .run(d.features(), d.labels());
        EvasionResult onScores = HopSkipJump.builder(Fixtures.blackBox(model)).queries(queries).seed(3).build()
                .run(d.features(), d.labels());
        assertTrue(onLabels.adversarial().equalsWithEps(onScores.adversarial(), 1e-6),
                "the attack reads the top class only");
        // the template's clean and final predictions are the only queries not the attack's own
        assertEquals(asked.get() - 2L * d.size(), onLabels.gradientCalls(), "counted queries");
        assertTrue(onLabels.gradientCalls() <= (long) queries * d.size(), "budget: " + onLabels.gradientCalls());
        assertTrue(onLabels.successRate() >= 0.9, "an unbounded run fools almost every example: "
                + onLabels.successRate());
    }

    @Test
    void moreQueriesFindCloserPointsApproachingTheGradientAttacks() {
        LabeledData d = Fixtures.testSample(16);
        Classifier box = Fixtures.blackBox(model);
        double[] few = HopSkipJump.builder(box).queries(300).seed(1).build().run(d.features(), d.labels())
                .perturbationNorm();
        double[] many = HopSkipJump.builder(box).queries(3000).seed(1).build().run(d.features(), d.labels())
                .perturbationNorm();
        EvasionResult deepFool = DeepFool.builder(model).norm(Norm.L2).build().run(d.features(), d.labels());
        double mFew = median(few);
        double mMany = median(many);
        double mDeepFool = median(deepFool.perturbationNorm());
        System.out.printf("HSJ median L2: 300 queries %.3f, 3,000 %.3f; DeepFool %.3f%n", mFew, mMany, mDeepFool);
        assertTrue(mMany < 0.7 * mFew, "3,000 queries " + mMany + " against 300 " + mFew);
        assertTrue(mMany < 2.0 * mDeepFool, "3,000 queries " + mMany + " against DeepFool " + mDeepFool);
    }

    @Test
    void aBudgetIsHeldAndTheSweepIsOneRun() {
        LabeledData d = Fixtures.testSample(10);
        HopSkipJump hsj = HopSkipJump.builder(Fixtures.blackBox(model)).queries(300).seed(2).build();
        EvasionResult free = hsj.run(d.features(), d.labels());
        EpsilonSweep s = hsj.sweep(d.features(), AttackGoal.untargeted(d.labels()), 0.5, 10.0);
        for (int i = 0; i < d.size(); i++) {
            boolean within = free.success()[i] && free.perturbationNorm()[i] <= 10.0 * (1 + 1e-5);
            assertEquals(within, s.at(1).success()[i], "example " + i + " held to 10.0");
        }
        INDArray bounded = hsj.withEpsilon(0.5).run(d.features(), d.labels()).adversarial();
        double[] norms = Norm.L2.perExample(bounded.sub(d.features()));
        assertTrue(Arrays.stream(norms).allMatch(v -> v <= 0.5 * (1 + 1e-5)), Arrays.toString(norms));
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> HopSkipJump.builder(model).queries(0).build(), "queries");
        assertMessage(() -> HopSkipJump.builder(model).norm(Norm.LINF).build(), "L2");
        assertMessage(() -> HopSkipJump.builder(model).initialEvaluations(0).build(), "initialEvaluations");
        assertMessage(() -> HopSkipJump.builder(model).initialEvaluations(50).maxEvaluations(10).build(),
                "maxEvaluations");
        assertMessage(() -> HopSkipJump.builder(model).gamma(Double.NaN).build(), "gamma");
        assertMessage(() -> HopSkipJump.builder(null), "model");
        assertArrayEquals(new long[] {1, 28, 28}, model.inputShape());
    }
}
