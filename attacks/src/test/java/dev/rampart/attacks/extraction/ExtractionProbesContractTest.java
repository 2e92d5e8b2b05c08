package dev.rampart.attacks.extraction;

import dev.rampart.core.model.Classifier;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every extraction probe against {@link ExtractionProbeContract}, with budgets of about a hundred queries. */
class ExtractionProbesContractTest {

    @Nested
    class KnockoffRandom extends ExtractionProbeContract {
        @Override
        protected ProbeBuilder<?> configure(Classifier victim, INDArray pool, int[] labels) {
            return KnockoffNets.builder(victim).pool(pool).budgets(40, 120).substitute(SMALL).seed(1);
        }

        @Override
        protected ExtractionProbe build(ProbeBuilder<?> b) {
            return ((KnockoffNets.Builder) b).build();
        }
    }

    @Nested
    class KnockoffAdaptive extends ExtractionProbeContract {
        @Override
        protected ProbeBuilder<?> configure(Classifier victim, INDArray pool, int[] labels) {
            return KnockoffNets.builder(victim).pool(pool).adaptive(labels).banditBatch(20).budgets(100)
                    .substitute(SMALL).seed(1);
        }

        @Override
        protected ExtractionProbe build(ProbeBuilder<?> b) {
            return ((KnockoffNets.Builder) b).build();
        }
    }

    @Nested
    class Copycat extends ExtractionProbeContract {
        @Override
        protected ProbeBuilder<?> configure(Classifier victim, INDArray pool, int[] labels) {
            return CopycatCnn.builder(victim).pool(pool).budgets(100).substitute(SMALL).seed(1);
        }

        @Override
        protected ExtractionProbe build(ProbeBuilder<?> b) {
            return ((KnockoffNets.Builder) b).build();
        }
    }

    @Nested
    class Jacobian extends ExtractionProbeContract {
        @Override
        protected ProbeBuilder<?> configure(Classifier victim, INDArray pool, int[] labels) {
            return JacobianAugmentation.builder(victim).seedSet(pool.get(org.nd4j.linalg.indexing.NDArrayIndex
                    .interval(0, 30))).budget(100).substitute(SMALL).seed(1);
        }

        @Override
        protected ExtractionProbe build(ProbeBuilder<?> b) {
            return ((JacobianAugmentation.Builder) b).build();
        }
    }
}
