package dev.rampart.defenses.certification;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.zoo.BundledModels;

/** Bound propagation (CROWN-IBP) under the certification contract (bundled reference CNN). */
class BoundPropagationContractTest extends CertificationContract {

    @Override
    protected Certificates certify(LabeledData data, long seed) throws Exception {
        return BoundPropagation.builder(BundledModels.referenceCnn()).method(BoundPropagation.Method.CROWN_IBP).build()
                .certify(data, budgets());
    }

    @Override
    protected LabeledData data() throws Exception {
        return FashionMnist.bundledTest().head(20);
    }

    @Override
    protected double[] budgets() {
        return new double[] {0, 0.0005, 0.002, 0.01};
    }
}
