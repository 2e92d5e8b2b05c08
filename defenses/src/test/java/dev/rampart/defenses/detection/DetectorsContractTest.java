package dev.rampart.defenses.detection;

import dev.rampart.core.model.Classifier;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every adversarial-input detector against {@link DetectorContract}. */
class DetectorsContractTest {

    @Nested
    class Squeezing extends DetectorContract {
        @Override
        protected Detector fit(Classifier model, INDArray clean, double rate) {
            return FeatureSqueezing.builder(model).falsePositiveRate(rate).fit(clean);
        }
    }

    @Nested
    class StripDetector extends DetectorContract {
        @Override
        protected Detector fit(Classifier model, INDArray clean, double rate) {
            return Strip.builder(model).overlays(spare()).samples(8).falsePositiveRate(rate).seed(4).fit(clean);
        }
    }
}
