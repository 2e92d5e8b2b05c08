package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * The Boundary attack's own behaviour. The search it shares with HopSkipJump ({@link DecisionSearch})
 * is held to the whole attack contract in {@link HopSkipJumpTest}; here, its walk: closer with
 * more queries, on labels alone, every query counted, a budget and the domain held, reproducible.
 */
class BoundaryAttackTest {

    private final GradientClassifier model = Fixtures.trainedCnn();

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Test
    void itWalksCloserWithQueriesOnLabelsAloneAndHopSkipJumpNeedsFewer() {
        LabeledData d = Fixtures.testSample(8);
        AtomicLong asked = new AtomicLong();
        Classifier inner = model.copy();
        Classifier labelOnly = new BlackBoxModel(x -> {
            asked.addAndGet(x.size(0));
            return Labels.oneHot(inner.predictClasses(x), 10).castTo(x.dataType());
        }, 10, model.inputShape(), model.domain());
        EvasionResult few = BoundaryAttack.builder(labelOnly).queries(100).seed(1).build().run(d.features(), d.labels());
        long before = asked.get();
        EvasionResult many = BoundaryAttack.builder(labelOnly).queries(1000).seed(1).build()
                .run(d.features(), d.labels());
        assertEquals(asked.get() - before - 2L * d.size(), many.gradientCalls(), "every query counted");
        assertTrue(many.gradientCalls() <= 1000L * d.size());
        EvasionResult hsj = HopSkipJump.builder(labelOnly).queries(1000).seed(1).build().run(d.features(), d.labels());
        double mFew = median(few.perturbationNorm());
        double mMany = median(many.perturbationNorm());
        double mHsj = median(hsj.perturbationNorm());
        System.out.printf("Boundary median L2: 100 queries %.3f, 1,000 %.3f; HopSkipJump 1,000 %.3f%n", mFew, mMany,
                mHsj);
        assertTrue(many.successRate() >= 0.9, "success " + many.successRate());
        assertTrue(mMany < 0.8 * mFew, "1,000 queries " + mMany + " against 100 " + mFew);
        assertTrue(mHsj < mMany, "HopSkipJump " + mHsj + " against Boundary " + mMany + " at 1,000 queries");
    }

    @Test
    void aBoundedRunStaysInTheBallAndTheDomainAndIsReproducible() {
        LabeledData d = Fixtures.testSample(8);
        org.nd4j.linalg.api.ndarray.INDArray x = d.features().dup();
        BoundaryAttack attack = BoundaryAttack.builder(Fixtures.blackBox(model)).epsilon(3.0).queries(200).seed(4)
                .build();
        EvasionResult a = attack.run(x, d.labels());
        EvasionResult b = attack.run(x, d.labels());
        assertEquals(a.adversarial(), b.adversarial());
        assertEquals(d.features(), x, "x must not be modified");
        double[] norms = Norm.L2.perExample(a.adversarial().sub(x));
        assertTrue(Arrays.stream(norms).allMatch(v -> v <= 3.0 * (1 + 1e-5)), Arrays.toString(norms));
        assertTrue(a.adversarial().minNumber().doubleValue() >= model.domain().min()
                && a.adversarial().maxNumber().doubleValue() <= model.domain().max());
        assertTrue(a.robustAccuracy() < a.cleanAccuracy(), "the attack fools some images within 3.0");
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> BoundaryAttack.builder(model).queries(0).build(), "queries");
        assertMessage(() -> BoundaryAttack.builder(model).norm(Norm.LINF).build(), "L2");
        assertMessage(() -> BoundaryAttack.builder(model).sphericalStep(0).build(), "sphericalStep");
        assertMessage(() -> BoundaryAttack.builder(model).sourceStep(1).build(), "sourceStep");
        assertMessage(() -> BoundaryAttack.builder(null), "model");
    }
}
