package dev.rampart.attacks.extraction;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;

/**
 * What every extraction probe's builder sets: the victim, what it answers, the attacker's
 * substitute, the held-out set it is scored on, the reference model for fidelity and the seed.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ProbeBuilder<B extends ProbeBuilder<B>> {

    protected final Classifier victim;
    protected Answers answers;
    protected Substitute substitute;
    protected LabeledData heldOut;
    protected Classifier reference;
    protected long seed;

    protected ProbeBuilder(Classifier victim, Answers defaultAnswers) {
        if (victim == null) {
            throw new IllegalArgumentException("victim must not be null");
        }
        this.victim = victim;
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

    /** The held-out set scored against the reference (or the victim). */
    HeldOut held() {
        return HeldOut.of(reference != null ? reference : victim, heldOut);
    }

    /** Checks the common settings; call from {@code build()}. */
    protected void checkCommon() {
        if (answers == null) {
            throw new IllegalArgumentException("answers must not be null");
        }
        if (substitute == null) {
            throw new IllegalArgumentException("substitute must not be null");
        }
        if (heldOut == null) {
            throw new IllegalArgumentException("heldOut must not be null");
        }
    }
}
