package dev.rampart.defenses.certification;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;

/** Deep partition aggregation under the certification contract (5 parts of 1-nearest-neighbour voters). */
class PartitionAggregationContractTest extends CertificationContract {

    @Override
    protected Certificates certify(LabeledData data, long seed) throws Exception {
        return PartitionAggregation.builder(PartitionAggregationTest.NEAREST).partitions(5).seed(seed).build()
                .fit(FashionMnist.bundledTrain().head(300)).certify(data);
    }

    @Override
    protected LabeledData data() throws Exception {
        return FashionMnist.bundledTest().head(40);
    }

    /** A vote of 5 certifies at most 2 poisoned examples. */
    @Override
    protected double[] budgets() {
        return new double[] {0, 1, 2, 3};
    }
}
