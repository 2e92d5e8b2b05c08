package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import java.util.Arrays;

/** Uniform label flipping through the poisoning contract. */
class LabelFlippingTest extends PoisoningAttackContract {

    @Override
    protected PoisoningAttack make(long seed) {
        return LabelFlipping.uniform(0.2, seed);
    }

    @Override
    protected int expectedCount(LabeledData clean) {
        return (int) Math.round(0.2 * clean.size());
    }

    @Override
    protected boolean hasAttackTest() {
        return false;
    }

    /** Targeted flipping of class 6 to 0 through the same contract. */
    static class TargetedTest extends PoisoningAttackContract {
        @Override
        protected PoisoningAttack make(long seed) {
            return LabelFlipping.targeted(6, 0, 0.5, seed);
        }

        @Override
        protected int expectedCount(LabeledData clean) {
            return (int) Math.max(1, Math.round(0.5 * Arrays.stream(clean.labels()).filter(y -> y == 6).count()));
        }
    }
}
