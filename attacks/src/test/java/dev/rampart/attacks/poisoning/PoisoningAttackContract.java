package dev.rampart.attacks.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What every poisoning attack must satisfy: exactly the expected number of examples changed and
 * only those (the reported indices are the truth), the clean data untouched, the same seed giving
 * the same poison, views taken, the attack test labelled as the attacker wants, results carrying
 * the configuration and provenance. An attack's test supplies {@link #make} and
 * {@link #expectedCount}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PoisoningAttackContract {

    /** Examples of the bundled sample the contract poisons. */
    protected static final int N = 300;

    protected LabeledData data;

    /** The attack under test, with seed {@code seed}. */
    protected abstract PoisoningAttack make(long seed);

    /** How many examples of {@code clean} the attack must change. */
    protected abstract int expectedCount(LabeledData clean);

    /** Whether the attack has an attack test (uniform label noise has no target to measure). */
    protected boolean hasAttackTest() {
        return true;
    }

    @BeforeAll
    void load() {
        data = Fixtures.testSample(N);
    }

    @Test
    void changesExactlyTheReportedExamplesAndLeavesTheInputUntouched() {
        INDArray before = data.features().dup();
        int[] labels = data.labels();
        PoisoningAttack attack = make(7);
        PoisonedData p = attack.poison(data);
        assertEquals(before, data.features(), "the clean features are not modified");
        assertArrayEquals(labels, data.labels(), "the clean labels are not modified");
        assertEquals(expectedCount(data), p.poisoned().length, "the rate is exact");
        boolean[] mask = p.poisonedMask();
        int[] poisonedLabels = p.data().labels();
        for (int i = 0; i < N; i++) {
            boolean same = labels[i] == poisonedLabels[i]
                    && data.features().slice(i).equals(p.data().features().slice(i));
            assertEquals(!mask[i], same, "example " + i + (mask[i] ? " is reported but unchanged"
                    : " changed but is not reported"));
        }
        assertEquals(N, p.data().size());
        assertEquals(attack.config(), p.config(), "the result carries the configuration");
        assertEquals(attack.name(), p.attack());
        assertEquals("1.0.0-M2.1", p.provenance().nd4jVersion());
        assertEquals(7, p.seed());
        for (Double f : p.figures().values()) {
            assertTrue(Double.isFinite(f), "figures are finite: " + p.figures());
        }
    }

    @Test
    void theSameSeedGivesTheSamePoisonAndAnotherSeedAnother() {
        PoisonedData a = make(7).poison(data);
        PoisonedData b = make(7).poison(data);
        assertArrayEquals(a.poisoned(), b.poisoned());
        assertEquals(a.data().features(), b.data().features());
        assertArrayEquals(a.data().labels(), b.data().labels());
        assertNotEquals(java.util.Arrays.toString(a.poisoned()), java.util.Arrays.toString(make(8).poison(data)
                .poisoned()), "the seed chooses the examples");
    }

    @Test
    void dataOnAViewOfALargerArrayIsTaken() {
        INDArray big = Nd4j.concat(0, data.features(), data.features());
        LabeledData view = new LabeledData("view", big.get(NDArrayIndex.interval(N, 2 * N)), data.labels(),
                data.numClasses());
        PoisonedData fromView = make(7).poison(view);
        PoisonedData fromData = make(7).poison(data);
        assertArrayEquals(fromData.poisoned(), fromView.poisoned());
        assertEquals(fromData.data().features(), fromView.data().features());
    }

    @Test
    void theAttackTestIsLabelledByTheAttacker() {
        PoisoningAttack attack = make(7);
        assertMessage(() -> attack.poison(null), "must not be null");
        if (!hasAttackTest()) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> attack.attackTest(data));
            return;
        }
        LabeledData t = attack.attackTest(data);
        assertTrue(t.size() > 0);
        assertEquals(data.numClasses(), t.numClasses());
    }
}
