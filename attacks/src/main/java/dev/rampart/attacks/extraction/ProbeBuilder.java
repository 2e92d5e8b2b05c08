package dev.rampart.attacks.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.TrainableModel;

/**
 * What every extraction probe's builder sets: the victim, what it answers, the attacker's
 * substitute, the held-out set it is scored on, the reference model for fidelity and the seed.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract sealed class ProbeBuilder<B extends ProbeBuilder<B>>
        permits KnockoffNets.Builder, JacobianAugmentation.Builder {

    final Classifier victim;
    Answers answers;
    Substitute substitute;
    LabeledData heldOut;
    Classifier reference;
    long seed;

    ProbeBuilder(Classifier victim, Answers defaultAnswers) {
        this.victim = Check.notNull("victim", victim);
        this.answers = defaultAnswers;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** What the victim releases. */
    public B answers(Answers answers) {
        this.answers = answers;
        return self();
    }

    /** The attacker's model and how it is trained. */
    public B substitute(Substitute substitute) {
        this.substitute = substitute;
        return self();
    }

    /** Labelled inputs never queried by the probe, for accuracy and fidelity. */
    public B heldOut(LabeledData heldOut) {
        this.heldOut = heldOut;
        return self();
    }

    /**
     * The model whose top-1 answers fidelity is measured against, asked outside the budget
     * (default: the victim). Pass the bare model when the victim is an output defense or a
     * monitored guard, so that the evaluation neither goes through them nor counts as a client's
     * queries.
     */
    public B reference(Classifier reference) {
        this.reference = reference;
        return self();
    }

    /** The seed of every random choice of the probe and of the substitute's training. */
    public B seed(long seed) {
        this.seed = seed;
        return self();
    }

    /**
     * What a built probe keeps of the common settings: the builder's values at {@code build()}
     * time, so that later setter calls do not reach the probe.
     */
    record Setup(Classifier victim, Substitute substitute, LabeledData heldOut, Classifier reference) {
        /** The held-out set scored against the reference (or the victim); asks it once. */
        HeldOut held() {
            return HeldOut.of(reference != null ? reference : victim, heldOut);
        }
    }

    /**
     * What a probe needs of its substitute beyond the victim's shape and classes, checked on one
     * fresh model at {@code build()} (default: nothing more).
     */
    void checkSubstitute(TrainableModel sample) {
    }

    /** Checks the common settings and copies them out; call from {@code build()}. */
    Setup checkCommon() {
        Check.notNull("answers", answers);
        Check.notNull("substitute", substitute);
        Check.notNull("heldOut", heldOut);
        Inputs.checkBatch(victim, heldOut.features(), "heldOut");
        if (heldOut.numClasses() != victim.numClasses()) {
            throw new IllegalArgumentException("heldOut has " + heldOut.numClasses() + " classes, the victim "
                    + victim.numClasses());
        }
        if (reference != null && (reference.numClasses() != victim.numClasses()
                || !java.util.Arrays.equals(reference.inputShape(), victim.inputShape()))) {
            throw new IllegalArgumentException("reference must take the victim's inputs and classes");
        }
        checkSubstitute(substitute.create(seed, victim));
        return new Setup(victim, substitute, heldOut, reference);
    }
}
