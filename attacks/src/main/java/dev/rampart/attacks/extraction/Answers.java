package dev.rampart.attacks.extraction;

/**
 * What a prediction API releases per query: the top-1 label only, or the probability vector.
 * Probes train their substitute on one-hot rows for {@link #LABELS} and on the released
 * probabilities for {@link #PROBABILITIES}.
 */
public enum Answers {
    /** The victim's top-1 class ({@code Classifier.predictClasses}), as a one-hot row. */
    LABELS,
    /** The victim's probabilities ({@code Classifier.predictProbabilities}). */
    PROBABILITIES
}
