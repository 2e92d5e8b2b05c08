package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;

/**
 * A detector of poisoned training examples: given a labelled training set (and usually a model
 * trained on it), it flags the examples to remove.
 *
 * <pre>{@code
 * PoisonDetector d = ActivationClustering.builder(model).build();
 * boolean[] drop = d.detect(train).flagged();
 * }</pre>
 */
@FunctionalInterface
public interface PoisonDetector {

    /** Examines {@code data}; the data is not modified. */
    PoisonReport detect(LabeledData data);

    /**
     * The fewest examples a class needs for this detector's verdict on it to mean anything; a
     * class with fewer is reported as not judged. Tools refuse data below it.
     */
    default int minimumPerClass() {
        return 1;
    }
}
