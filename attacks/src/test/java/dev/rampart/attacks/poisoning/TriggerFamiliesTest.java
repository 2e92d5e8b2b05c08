package dev.rampart.attacks.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.testing.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The trigger families (warp, signal, noise blend) and the clean-label attacks. */
class TriggerFamiliesTest {

    private static final LabeledData DATA = Fixtures.testSample(64);

    @Test
    void aWarpKeepsConstantImagesAndMovesEdgesByAFewPixelsAtMost() {
        Trigger warp = Trigger.warp(4, 0.5, 3);
        INDArray flat = Nd4j.valueArrayOf(new long[] {2, 1, 28, 28}, 0.37, DataType.FLOAT);
        assertTrue(warp.stamp(flat).equalsWithEps(flat, 1e-5), "bilinear weights sum to 1: a constant stays");
        INDArray x = DATA.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8));
        INDArray w = warp.stamp(x);
        double change = Transforms.abs(w.sub(x)).meanNumber().doubleValue();
        assertTrue(change > 1e-3 && change < 0.1, "a warp changes an image a little: mean |change| " + change);
        assertEquals(w, Trigger.warp(4, 0.5, 3).stamp(x), "the seed fixes the field");
        assertNotEquals(w, Trigger.warp(4, 0.5, 4).stamp(x), "another seed, another field");
        double stronger = Transforms.abs(Trigger.warp(4, 2.0, 3).stamp(x).sub(x)).meanNumber().doubleValue();
        assertTrue(stronger > change, "a stronger warp moves more: " + stronger + " vs " + change);
        assertTrue(w.minNumber().doubleValue() >= x.minNumber().doubleValue() - 1e-6
                && w.maxNumber().doubleValue() <= x.maxNumber().doubleValue() + 1e-6, "interpolation stays in range");
    }

    @Test
    void warpedAndBlendedImagesStayExactlyInsideTheUnitDomain() {
        // float rounding of a convex combination of 1s can give 1.0000001, which a unit-domain model refuses
        INDArray x = Nd4j.concat(0, DATA.features(), Nd4j.ones(DataType.FLOAT, 4, 1, 28, 28));
        for (long seed = 100; seed < 108; seed++) {
            INDArray w = Trigger.warp(4, 0.5, seed).stamp(x);
            assertTrue(w.maxNumber().doubleValue() <= 1.0 && w.minNumber().doubleValue() >= 0.0,
                    "warp " + seed + " leaves [0, 1]: [" + w.minNumber() + ", " + w.maxNumber() + "]");
            INDArray b = Trigger.noiseBlend(new long[] {1, 28, 28}, 0.15, seed).stamp(x);
            assertTrue(b.maxNumber().doubleValue() <= 1.0 && b.minNumber().doubleValue() >= 0.0,
                    "blend " + seed + " leaves [0, 1]: [" + b.minNumber() + ", " + b.maxNumber() + "]");
        }
    }

    @Test
    void aSignalAddsTheSinusoidAndClipsToTheDomain() {
        INDArray mid = Nd4j.valueArrayOf(new long[] {1, 1, 4, 12}, 0.5, DataType.FLOAT);
        INDArray s = Trigger.signal(0.1, 3).stamp(mid);
        for (int j = 0; j < 12; j++) {
            assertEquals(0.5 + 0.1 * Math.sin(2 * Math.PI * j * 3 / 12), s.getDouble(0, 0, 2, j), 1e-6);
        }
        INDArray white = Nd4j.ones(DataType.FLOAT, 1, 1, 4, 12);
        assertEquals(1.0, Trigger.signal(0.3, 3).stamp(white).maxNumber().doubleValue(), 0, "clipped to [0, 1]");
    }

    @Test
    void aNoiseBlendIsSeededAndInsideTheDomain() {
        long[] shape = {1, 28, 28};
        INDArray x = DATA.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4));
        assertEquals(Trigger.noiseBlend(shape, 0.15, 1).stamp(x), Trigger.noiseBlend(shape, 0.15, 1).stamp(x));
        assertNotEquals(Trigger.noiseBlend(shape, 0.15, 1).stamp(x), Trigger.noiseBlend(shape, 0.15, 2).stamp(x));
        Trigger.noiseBlend(shape, 0.15, 1).check(shape, dev.rampart.core.model.InputDomain.UNIT);
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> Trigger.warp(1, 0.5, 1), "grid must be in [2, 64], found 1");
        assertMessage(() -> Trigger.warp(4, Double.NaN, 1), "strength must be in (0, 64], found NaN");
        assertMessage(() -> Trigger.signal(0, 6), "delta must be in (0, 1.0], found 0.0");
        assertMessage(() -> Trigger.signal(0.1, -1), "frequency must be in (0, 1024], found -1.0");
        assertMessage(() -> Trigger.noiseBlend(new long[] {28, 28}, 0.1, 1), "shape must be [c, h, w]");
        assertMessage(() -> Trigger.warp(4, 0.5, 1).stamp(Nd4j.rand(3, 784)), "x must be a batch [n, c, h, w]");
        assertMessage(() -> Trigger.noiseBlend(new long[] {1, 28, 28}, 0.1, 1).stamp(Nd4j.rand(new int[] {2, 1, 14, 14})),
                "blend image has shape [1, 28, 28], the examples [1, 14, 14]");
        assertMessage(() -> CleanLabelBackdoor.sig(Trigger.signal(0.1, 6), Trigger.signal(0.1, 6), 0, 0.5, 1)
                .poison(DATA), "has only");
        assertMessage(() -> CleanLabelBackdoor.sig(Trigger.signal(0.1, 6), null, 0, 0.05, 1), "testTrigger");
        assertMessage(() -> CleanLabelBackdoor.sig(Trigger.signal(0.1, 6), Trigger.signal(0.1, 6), 12, 0.05, 1)
                .poison(DATA), "target must be a class in [0, 10), found 12");
    }

    @Test
    void cleanLabelAttacksKeepEveryLabelAndTouchOnlyTheTarget() {
        PoisonedData p = new SigTest().make(3).poison(DATA);
        assertTrue(Arrays.equals(DATA.labels(), p.data().labels()), "labels stay true");
        for (int i : p.poisoned()) {
            assertEquals(1, DATA.labels()[i], "only the target class is changed");
        }
        LabeledData t = new SigTest().make(3).attackTest(DATA);
        assertTrue(Arrays.stream(t.labels()).allMatch(y -> y == 1));
        assertEquals(DATA.size() - Arrays.stream(DATA.labels()).filter(y -> y == 1).count(), t.size());
    }

    /** SIG through the poisoning contract. */
    static class SigTest extends PoisoningAttackContract {
        @Override
        protected PoisoningAttack make(long seed) {
            return CleanLabelBackdoor.sig(Trigger.signal(0.08, 6), Trigger.signal(0.12, 6), 1, 0.03, seed);
        }

        @Override
        protected int expectedCount(LabeledData clean) {
            return (int) Math.round(0.03 * clean.size());
        }
    }

    /** Label-consistent (PGD on the bundled model, then a patch) through the poisoning contract. */
    static class LabelConsistentTest extends PoisoningAttackContract {
        @Override
        protected PoisoningAttack make(long seed) {
            return CleanLabelBackdoor.labelConsistent(Trigger.checkerboard(3, 0, 1, 25, 25),
                    Pgd.builder(Fixtures.trainedCnn()).epsilon(0.1).steps(5).seed(seed).build(), 1, 0.03, seed);
        }

        @Override
        protected int expectedCount(LabeledData clean) {
            return (int) Math.round(0.03 * clean.size());
        }

        @Test
        void thePerturbationIsReported() {
            PoisonedData p = make(2).poison(data);
            assertTrue(p.figures().get("perturbationSuccessRate") > 0.5, "PGD at 0.1 fools the bundled model on most: "
                    + p.figures());
        }
    }

    /** WaNet (a BadNets with a warp) through the poisoning contract. */
    static class WarpTest extends PoisoningAttackContract {
        @Override
        protected PoisoningAttack make(long seed) {
            return BadNets.allToOne(Trigger.warp(4, 0.5, 11), 0, 0.1, seed);
        }

        @Override
        protected int expectedCount(LabeledData clean) {
            return (int) Math.round(0.1 * clean.size());
        }
    }

    /** Blend with noise through the poisoning contract. */
    static class NoiseBlendTest extends PoisoningAttackContract {
        @Override
        protected PoisoningAttack make(long seed) {
            return BadNets.allToAll(Trigger.noiseBlend(new long[] {1, 28, 28}, 0.15, 5), 0.1, seed);
        }

        @Override
        protected int expectedCount(LabeledData clean) {
            return (int) Math.round(0.1 * clean.size());
        }
    }
}
