package dev.rampart.defenses.training;

import dev.rampart.core.report.Provenance;
import java.util.List;

/**
 * What an adversarial training run did, epoch by epoch.
 *
 * @param epochs the figures of each epoch run
 * @param finalEpoch the epoch whose parameters the model ends with (the best one with
 *     {@code keepBest})
 * @param config the configuration
 * @param provenance versions and backend
 */
public record TrainingReport(List<Epoch> epochs, int finalEpoch, AdversarialTraining.Config config,
        Provenance provenance) {

    public TrainingReport {
        epochs = List.copyOf(epochs);
    }

    /**
     * One epoch.
     *
     * @param epoch index from 0
     * @param epsilon the budget at the end of the epoch (it ramps during warm-up)
     * @param examples training examples seen
     * @param seconds wall time of the training pass (without evaluation)
     * @param cleanAccuracy held-out clean accuracy after the epoch (NaN without held-out data)
     * @param robustAccuracy held-out PGD robust accuracy at the full budget (NaN without held-out data)
     */
    public record Epoch(int epoch, double epsilon, long examples, double seconds, double cleanAccuracy,
            double robustAccuracy) {
    }
}
