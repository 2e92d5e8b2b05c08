package dev.rampart.attacks.evasion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every evasion attack must satisfy, on the bundled trained CNN: adversarial examples inside
 * the epsilon ball (float tolerance) and the domain, shapes preserved, reported norms true,
 * identical output for the same seed, inputs untouched, success measured truthfully, accuracy
 * lowered, and bad input refused with the parameter's name. An attack's test supplies
 * {@link #make}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EvasionAttackContract {

    /** Examples per contract check. */
    protected static final int N = 48;
    /** Float tolerance of the ball constraint, relative to epsilon. */
    private static final double TOLERANCE = 1e-5;

    protected GradientClassifier model;
    protected LabeledData data;

    /** The attack under test, with budget {@code epsilon} in {@code norm}. */
    protected abstract EvasionAttack make(GradientClassifier model, Norm norm, double epsilon);

    /** Whether the attack supports {@code norm}; the contract's checks of other norms are skipped. */
    protected boolean supports(Norm norm) {
        return true;
    }

    /** Whether the attack takes targeted goals. */
    protected boolean supportsTargeted() {
        return true;
    }

    /**
     * How far an example's perturbation norm may move, relative, when its run is cut into other
     * batches (0: the adversarial examples are bit-identical). ND4J's batched kernels round an
     * example's pass differently in batches of different sizes (about 1e-7 relative): steps that
     * use only the gradient's sign (L-inf) and Square's accept/reject never see that; steps that use
     * the gradient's magnitude (L2 steps, DeepFool) carry it into their results, and a search that
     * keeps its best iterate at the decision boundary (C&amp;W) can keep another one.
     */
    protected double reorderTolerance(Norm norm) {
        return norm == Norm.LINF ? 0 : 1e-3;
    }

    /** A budget that fools the trained CNN on a good share of examples. */
    protected static double strongEpsilon(Norm norm) {
        return norm == Norm.LINF ? 0.15 : 3.0;
    }

    @BeforeAll
    void load() {
        model = Fixtures.trainedCnn();
        data = Fixtures.testSample(N);
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void staysInBallAndDomainWithTrueNorms(Norm norm) {
        assumeTrue(supports(norm));
        double eps = strongEpsilon(norm);
        EvasionResult r = make(model, norm, eps).run(data.features(), data.labels());
        INDArray adv = r.adversarial();
        assertArrayEquals(data.features().shape(), adv.shape());
        assertTrue(adv.minNumber().doubleValue() >= model.domain().min());
        assertTrue(adv.maxNumber().doubleValue() <= model.domain().max());
        double[] recomputed = norm.perExample(adv.sub(data.features()));
        for (int i = 0; i < N; i++) {
            assertTrue(recomputed[i] <= eps * (1 + TOLERANCE), "example " + i + " norm " + recomputed[i]);
            assertEquals(recomputed[i], r.perturbationNorm()[i], 1e-6);
        }
        assertEquals(N, r.success().length);
        assertEquals(N, r.adversarialPredictions().length);
        assertArrayEquals(model.predictClasses(adv), r.adversarialPredictions(), "predictions must be re-measured");
        for (int i = 0; i < N; i++) {
            assertEquals(r.adversarialPredictions()[i] != data.labels()[i], r.success()[i]);
        }
    }

    /**
     * A double-precision copy of the model is attacked like the model itself (ND4J's own
     * {@code leverage()} crashed the JVM on double arrays inside the attack loops' workspaces).
     */
    @Test
    void aDoublePrecisionCopyOfTheModelIsAttackedAlike() {
        Norm norm = supports(Norm.LINF) ? Norm.LINF : Norm.L2;
        dev.rampart.core.model.dl4j.MultiLayerNetworkModel f = (dev.rampart.core.model.dl4j.MultiLayerNetworkModel) model;
        GradientClassifier doubled = dev.rampart.core.model.dl4j.MultiLayerNetworkModel.of(
                f.network().convertDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE), f.inputShape(), f.domain());
        LabeledData few = data.head(16);
        EvasionResult single = make(model, norm, strongEpsilon(norm)).run(few.features(), few.labels());
        EvasionResult dbl = make(doubled, norm, strongEpsilon(norm)).run(few.features(), few.labels());
        int differ = 0;
        for (int i = 0; i < 16; i++) {
            differ += single.success()[i] != dbl.success()[i] ? 1 : 0;
        }
        assertTrue(differ <= 2, differ + " of 16 outcomes differ between float and double precision");
    }

    /**
     * The template projects and clips every result, so the checks above cannot fail for a single
     * attack; the attack's own step, before that, must already stay in the domain and (for attacks
     * with a budget) in the ball.
     */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void theAttacksOwnStepStaysInTheDomainAndBall(Norm norm) {
        assumeTrue(supports(norm));
        double eps = strongEpsilon(norm);
        EvasionAttack attack = make(model, norm, eps);
        INDArray raw = ((EvasionTemplate<?>) attack).ownStep(data.features(), AttackGoal.untargeted(data.labels()));
        assertArrayEquals(data.features().shape(), raw.shape());
        assertTrue(raw.minNumber().doubleValue() >= model.domain().min(), "below the domain: " + raw.minNumber());
        assertTrue(raw.maxNumber().doubleValue() <= model.domain().max(), "above the domain: " + raw.maxNumber());
        if (!(attack instanceof MinimumNormAttack<?>)) {
            double[] norms = norm.perExample(raw.sub(data.features()));
            for (int i = 0; i < N; i++) {
                assertTrue(norms[i] <= eps * (1 + TOLERANCE), "example " + i + " left the ball: " + norms[i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void lowersAccuracy(Norm norm) {
        assumeTrue(supports(norm));
        EvasionResult r = make(model, norm, strongEpsilon(norm)).run(data.features(), data.labels());
        assertTrue(r.cleanAccuracy() > 0.7, "the fixture model is trained: clean " + r.cleanAccuracy());
        assertTrue(r.robustAccuracy() < r.cleanAccuracy() - 0.2, "robust " + r.robustAccuracy()
                + " vs clean " + r.cleanAccuracy());
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedSameOutputAndInputsUntouched(Norm norm) {
        assumeTrue(supports(norm));
        INDArray x = data.features().dup();
        int[] labels = data.labels();
        EvasionAttack attack = make(model, norm, strongEpsilon(norm));
        EvasionResult a = attack.run(x, labels);
        EvasionResult b = attack.run(x, labels);
        assertEquals(a.adversarial(), b.adversarial());
        assertEquals(data.features(), x, "x must not be modified");
        assertArrayEquals(data.labels(), labels);
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void aRunInPartsGivesEachExampleTheWholeRunsResult(Norm norm) {
        assumeTrue(supports(norm));
        EvasionAttack attack = make(model, norm, strongEpsilon(norm));
        EvasionResult whole = attack.run(data.features(), data.labels());
        // the second part first, as a worker might; parts aligned with the batches of 20
        int[] second = java.util.stream.IntStream.range(20, N).toArray();
        int[] first = java.util.stream.IntStream.range(0, 20).toArray();
        for (int[] part : new int[][] {second, first}) {
            long[] indices = java.util.Arrays.stream(part).asLongStream().toArray();
            EvasionResult r = attack.run(dev.rampart.core.data.Rows.gather(data.features(), part),
                    AttackGoal.untargeted(dev.rampart.core.data.Rows.pick(data.labels(), part)), indices);
            assertEquals(dev.rampart.core.data.Rows.gather(whole.adversarial(), part), r.adversarial(),
                    "examples " + part[0] + ".." + part[part.length - 1]);
        }
        assertMessage(() -> attack.run(data.features(), AttackGoal.untargeted(data.labels()), new long[3]),
                "indices has 3 entries for " + N + " examples");
    }

    /**
     * Reordered, no example shares a batch with the neighbours it had: each keeps its perturbation
     * (bit for bit, or within {@link #reorderTolerance}) and its success, unless it ends within
     * rounding of the decision boundary, where the model's own prediction depends on the batch.
     */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void aReorderedRunGivesEachExampleItsResult(Norm norm) {
        assumeTrue(supports(norm));
        EvasionAttack attack = make(model, norm, strongEpsilon(norm));
        EvasionResult whole = attack.run(data.features(), data.labels());
        int[] reversed = java.util.stream.IntStream.range(0, N).map(i -> N - 1 - i).toArray();
        EvasionResult r = attack.run(dev.rampart.core.data.Rows.gather(data.features(), reversed),
                AttackGoal.untargeted(dev.rampart.core.data.Rows.pick(data.labels(), reversed)),
                java.util.Arrays.stream(reversed).asLongStream().toArray());
        double tolerance = reorderTolerance(norm);
        if (tolerance == 0) {
            assertEquals(dev.rampart.core.data.Rows.gather(whole.adversarial(), reversed), r.adversarial());
        }
        double[][] logits = model.logits(r.adversarial()).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .toDoubleMatrix();
        for (int i = 0; i < N; i++) {
            int e = reversed[i];
            assertEquals(whole.perturbationNorm()[e], r.perturbationNorm()[i],
                    tolerance * Math.max(1, whole.perturbationNorm()[e]), "example " + e + "'s perturbation");
            if (whole.success()[e] != r.success()[i]) {
                double[] z = logits[i];
                int y = data.labels()[e];
                double other = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < z.length; k++) {
                    other = k == y ? other : Math.max(other, z[k]);
                }
                assertTrue(Math.abs(z[y] - other) < 1e-4, "example " + e + " succeeds differently although its logit"
                        + " margin is " + (z[y] - other));
            }
        }
    }

    /** Rows of a larger array (a view with an offset) and a column-major array are taken as they are. */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void viewsAndOtherOrderingsAreTakenAndLeftUntouched(Norm norm) {
        assumeTrue(supports(norm));
        EvasionAttack attack = make(model, norm, strongEpsilon(norm));
        INDArray big = Nd4j.concat(0, data.features(), data.features());
        INDArray before = big.dup();
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(N + 5, N + 25));
        int[] labels = java.util.Arrays.copyOfRange(data.labels(), 5, 25);
        long[] indices = java.util.stream.LongStream.range(5, 25).toArray();
        EvasionResult fromView = attack.run(view, AttackGoal.untargeted(labels), indices);
        EvasionResult fromCopy = attack.run(view.dup('c'), AttackGoal.untargeted(labels), indices);
        EvasionResult fromFortran = attack.run(view.dup('f'), AttackGoal.untargeted(labels), indices);
        assertEquals(fromCopy.adversarial(), fromView.adversarial());
        assertEquals(fromCopy.adversarial(), fromFortran.adversarial());
        assertEquals(before, big, "the caller's array is not modified");
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void targetedSuccessMeansTheTargetClass(Norm norm) {
        assumeTrue(supports(norm) && supportsTargeted());
        int[] labels = data.labels();
        int[] targets = new int[N];
        for (int i = 0; i < N; i++) {
            targets[i] = (labels[i] + 1) % 10;
        }
        EvasionResult r = make(model, norm, strongEpsilon(norm)).run(data.features(),
                AttackGoal.targeted(labels, targets));
        int hits = 0;
        for (int i = 0; i < N; i++) {
            assertEquals(r.adversarialPredictions()[i] == targets[i], r.success()[i]);
            hits += r.success()[i] ? 1 : 0;
        }
        assertTrue(hits > 0, "a targeted attack at this budget reaches some targets");
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void badInputIsRefusedByName(Norm norm) {
        assumeTrue(supports(norm));
        EvasionAttack attack = make(model, norm, 0.1);
        INDArray x = data.features().dup();
        int[] labels = data.labels();
        assertMessage(() -> attack.run(x, java.util.Arrays.copyOf(labels, N - 1)), "labels");
        INDArray nan = x.dup();
        nan.putScalar(new long[] {3, 0, 5, 5}, Double.NaN);
        assertMessage(() -> attack.run(nan, labels), "NaN");
        INDArray outside = x.dup();
        outside.putScalar(new long[] {0, 0, 0, 0}, 1.5);
        assertMessage(() -> attack.run(outside, labels), "domain");
        assertMessage(() -> attack.run(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 28, 28), new int[2]), "x");
        assertMessage(() -> attack.run(Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0, 1, 28, 28), new int[0]),
                "empty");
        INDArray infinite = x.dup();
        infinite.putScalar(new long[] {1, 0, 2, 2}, Double.POSITIVE_INFINITY);
        assertMessage(() -> attack.run(infinite, labels), "infinite");
        int[] badLabel = labels.clone();
        badLabel[0] = 10;
        assertMessage(() -> attack.run(x, badLabel), "labels[0]");
        assertMessage(() -> make(model, norm, 0), "epsilon");
        assertMessage(() -> make(model, norm, -0.1), "epsilon");
    }

}
