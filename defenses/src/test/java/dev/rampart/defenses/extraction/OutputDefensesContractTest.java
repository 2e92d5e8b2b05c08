package dev.rampart.defenses.extraction;

import dev.rampart.core.model.Classifier;
import org.junit.jupiter.api.Nested;

/** Every output defense against {@link OutputDefenseContract}, in typical and extreme settings. */
class OutputDefensesContractTest {

    @Nested
    class TopLabel extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new TopLabelOnly(victim);
        }
    }

    @Nested
    class Rounded extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new RoundedProbabilities(victim, 2);
        }

        /** Rounding does not renormalize: five values, each off by at most half a unit of the last place. */
        @Override
        protected double sumTolerance() {
            return 5 * 0.005 + 1e-9;
        }
    }

    @Nested
    class RoundedToIntegers extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new RoundedProbabilities(victim, 0);
        }

        /** Rounded to 0 or 1, a flat row can sum to 0: half a unit per class. */
        @Override
        protected double sumTolerance() {
            return 1;
        }
    }

    @Nested
    class Cutoff extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new ConfidenceCutoff(victim, 0.25);
        }
    }

    @Nested
    class Noise extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new GaussianNoise(victim, 0.05, 7);
        }
    }

    @Nested
    class NoNoise extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new GaussianNoise(victim, 0, 7);
        }
    }

    @Nested
    class ReverseSigmoidSmall extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new ReverseSigmoid(victim, 1.0, 0.1);
        }
    }

    @Nested
    class ReverseSigmoidLarge extends OutputDefenseContract {
        @Override
        protected OutputDefense make(Classifier victim) {
            return new ReverseSigmoid(victim, 5.0, 2.0);
        }
    }
}
