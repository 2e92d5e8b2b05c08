package dev.rampart.defenses.poisoning;

import dev.rampart.core.model.ActivationModel;

/** k-NN label noise in a layer's representation through the poison-detector contract. */
class KnnLabelNoiseTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return KnnLabelNoise.builder(model).k(5).build();
    }
}
