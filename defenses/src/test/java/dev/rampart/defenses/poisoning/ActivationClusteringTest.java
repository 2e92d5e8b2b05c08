package dev.rampart.defenses.poisoning;

import dev.rampart.core.model.ActivationModel;

/** Activation clustering through the poison-detector contract. */
class ActivationClusteringTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return ActivationClustering.builder(model).rounds(2).seed(seed).build();
    }
}
