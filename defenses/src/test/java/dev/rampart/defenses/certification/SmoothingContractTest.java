package dev.rampart.defenses.certification;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.zoo.BundledModels;

/** Randomized smoothing under the certification contract (bundled reference CNN, n = 500). */
class SmoothingContractTest extends CertificationContract {

    @Override
    protected Certificates certify(LabeledData data, long seed) throws Exception {
        return RandomizedSmoothing.builder(BundledModels.referenceCnn()).sigma(0.25).n0(50).n(500).seed(seed).build()
                .certify(data);
    }

    @Override
    protected LabeledData data() throws Exception {
        return FashionMnist.bundledTest().head(20);
    }

    /** n = 500 at alpha 0.001 caps every radius at 0.25 x 2.2 = 0.55. */
    @Override
    protected double[] budgets() {
        return new double[] {0, 0.2, 0.4, 0.6};
    }
}
