package dev.rampart.attacks.extraction;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;

/**
 * The held-out set a probe is scored on: labelled inputs the probe never queries, and the victim's
 * top-1 on them (asked once, outside the probe's budget: it is the evaluator's, not the
 * attacker's).
 *
 * <pre>{@code
 * HeldOut h = HeldOut.of(victim, FashionMnist.bundledTest());
 * h.fidelity(substitute);   // top-1 agreement with the victim
 * }</pre>
 */
public final class HeldOut {

    private final LabeledData data;
    private final int[] victimTop1;

    private HeldOut(LabeledData data, int[] victimTop1) {
        this.data = data;
        this.victimTop1 = victimTop1;
    }

    /**
     * @throws IllegalArgumentException if {@code data} is null or its inputs do not fit the victim
     */
    public static HeldOut of(Classifier victim, LabeledData data) {
        if (victim == null || data == null) {
            throw new IllegalArgumentException("victim and heldOut must not be null");
        }
        Inputs.checkBatch(victim, data.features(), "heldOut");
        if (data.numClasses() != victim.numClasses()) {
            throw new IllegalArgumentException("heldOut has " + data.numClasses() + " classes, the victim "
                    + victim.numClasses());
        }
        return new HeldOut(data, victim.predictClasses(data.features().dup()));
    }

    /** The substitute's accuracy on the held-out labels. */
    public double accuracy(Classifier substitute) {
        return Metrics.accuracy(substitute.predictClasses(data.features().dup()), data.labels());
    }

    /** The share of held-out inputs on which the substitute's top-1 equals the victim's. */
    public double fidelity(Classifier substitute) {
        return Metrics.accuracy(substitute.predictClasses(data.features().dup()), victimTop1);
    }

    /** The victim's own accuracy on the held-out set. */
    public double victimAccuracy() {
        return Metrics.accuracy(victimTop1, data.labels());
    }

    /** The held-out data. */
    public LabeledData data() {
        return data;
    }

    ExtractionResult.Point point(long queries, Classifier substitute) {
        return new ExtractionResult.Point(queries, accuracy(substitute), fidelity(substitute));
    }
}
