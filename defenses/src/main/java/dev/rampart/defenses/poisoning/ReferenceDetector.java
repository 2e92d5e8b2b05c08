package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;

/**
 * A poison detector that judges each class against its own trusted examples, in two steps that
 * can be taken apart: {@link #referenceScores} scores the class's training and trusted examples,
 * {@link #judge} decides from the scores alone (with {@link ReferenceCut}'s test). Taken apart, the
 * scores of several such detectors can be judged jointly, under one precision target, by
 * {@link TrustedUnion}, instead of removing the union of their separate verdicts.
 *
 * <pre>{@code
 * ReferenceDetector d = TrustedContrast.builder(trusted).build();
 * ReferenceScores s = d.referenceScores(train);
 * PoisonReport r = d.judge(s);          // the same as d.detect(train)
 * }</pre>
 */
public interface ReferenceDetector extends PoisonDetector {

    /**
     * Scores {@code data}'s examples and the trusted examples, class by class; nothing is modified.
     *
     * @throws IllegalArgumentException if the data does not fit the detector (shape, classes)
     * @throws IllegalStateException if the detector was built without trusted examples
     */
    ReferenceScores referenceScores(LabeledData data);

    /**
     * This detector's verdict on scores it made.
     *
     * @throws IllegalArgumentException if the scores are another detector's
     */
    PoisonReport judge(ReferenceScores scores);

    /** The number of trusted examples the detector judges against (0 when it has none). */
    int referenceSize();

    /** {@code judge(referenceScores(data))}. */
    @Override
    default PoisonReport detect(LabeledData data) {
        return judge(referenceScores(data));
    }
}
