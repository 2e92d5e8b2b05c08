package dev.rampart.defenses.poisoning;

import dev.rampart.core.model.ActivationModel;

/** Spectral signatures through the poison-detector contract. */
class SpectralSignaturesTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return SpectralSignatures.builder(model).expectedPoisonRate(0.1).build();
    }
}
