package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClassPriorsTest {

    /** Rows whose single feature is the row's index, labels in blocks of the given counts. */
    private static LabeledData blocks(int... counts) {
        int n = java.util.Arrays.stream(counts).sum();
        int[] y = new int[n];
        for (int c = 0, i = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                y[i++] = c;
            }
        }
        INDArray x = Nd4j.arange(n).castTo(DataType.FLOAT).reshape(n, 1);
        return new LabeledData("blocks", x, y, counts.length);
    }

    @Test
    void aDepletedClassIsResampledToItsTrustedShareAndNothingElseChanges() {
        LabeledData kept = blocks(100, 37, 95, 100, 100);
        LabeledData trusted = blocks(100, 100, 100, 100, 100);
        INDArray before = kept.features().dup();
        ClassPriors.Restored r = ClassPriors.restore(kept, trusted, 3);
        // class 1 is 63% below the median scale and resampled; class 2 is 5% below, within the tolerance
        assertArrayEquals(new int[] {100, 37, 95, 100, 100}, r.keptCounts());
        assertArrayEquals(new int[] {100, 100, 95, 100, 100}, r.counts());
        assertTrue(r.changed());
        assertEquals(495, r.data().size());
        assertEquals(before, kept.features(), "the kept data are not modified");
        // the first rows are the kept data as they were; the added ones are class 1's own rows
        assertEquals(kept.features(), r.data().features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 432),
                org.nd4j.linalg.indexing.NDArrayIndex.all()));
        java.util.Map<Integer, Integer> drawn = new java.util.HashMap<>();
        for (int i = 432; i < 495; i++) {
            int row = r.data().features().getInt(i, 0);
            assertEquals(1, r.data().labels()[i]);
            assertTrue(row >= 100 && row < 137, "row " + row + " is one of class 1's");
            drawn.merge(row, 1, Integer::sum);
        }
        // 63 more = one full round of the 37, then 26 of them drawn without replacement
        assertEquals(37, drawn.size());
        assertEquals(26, drawn.values().stream().filter(k -> k == 2).count());
        assertArrayEquals(r.data().labels(), ClassPriors.restore(kept, trusted, 3).data().labels());
        assertEquals(r.data().features(), ClassPriors.restore(kept, trusted, 3).data().features(), "seeded");
    }

    @Test
    void sharesAreTheTrustedDatasAndNoiseOrAnAbsentClassIsLeftAlone() {
        // trusted shares 2:1:1: class 0 at 120 against 100 + 100 is depleted (expected 200)
        ClassPriors.Restored r = ClassPriors.restore(blocks(120, 100, 100), blocks(200, 100, 100), 1);
        assertArrayEquals(new int[] {200, 100, 100}, r.counts());
        // 20% fewer, but against 10 trusted images per class that is sampling noise (z 0.6): left alone
        assertFalse(ClassPriors.restore(blocks(100, 80, 100, 100, 100), blocks(10, 10, 10, 10, 10), 1).changed());
        ClassPriors.Restored none = ClassPriors.restore(blocks(50, 0, 50), blocks(10, 10, 10), 1);
        assertFalse(none.changed());
        assertArrayEquals(new int[] {50, 0, 50}, none.counts());
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> ClassPriors.restore(blocks(5, 5), blocks(1, 1, 1), 1), "has 3 classes but the kept data");
        assertMessage(() -> ClassPriors.restore(null, blocks(1, 1), 1), "kept");
        assertMessage(() -> ClassPriors.restore(blocks(1, 1), null, 1), "reference");
    }
}
