package dev.rampart.attacks.poisoning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** BadNets all-to-one through the poisoning contract. */
class BadNetsTest extends PoisoningAttackContract {

    @Override
    protected PoisoningAttack make(long seed) {
        return BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 2, 0.1, seed);
    }

    @Override
    protected int expectedCount(LabeledData clean) {
        return (int) Math.round(0.1 * clean.size());
    }

    @Test
    void theAttackTestIsTriggeredAndSentToTheTarget() {
        LabeledData t = make(1).attackTest(data);
        assertTrue(Arrays.stream(t.labels()).allMatch(y -> y == 2));
        assertTrue(t.size() == data.size() - Arrays.stream(data.labels()).filter(y -> y == 2).count());
    }

    /** All-to-all through the same contract. */
    static class AllToAllTest extends PoisoningAttackContract {
        @Override
        protected PoisoningAttack make(long seed) {
            return BadNets.allToAll(Trigger.square(3, 1.0, 0, 0), 0.05, seed);
        }

        @Override
        protected int expectedCount(LabeledData clean) {
            return (int) Math.round(0.05 * clean.size());
        }
    }
}
