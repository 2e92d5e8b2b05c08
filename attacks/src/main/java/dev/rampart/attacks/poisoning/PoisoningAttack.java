package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;

/**
 * A data-poisoning attack: changes a share of a training set so that a model trained on it learns
 * what the attacker wants (a backdoor, a confusion, a misclassified target), and says which
 * examples it changed. Attacks are immutable and built from a validated configuration record; the
 * clean data is never modified.
 *
 * <pre>{@code
 * PoisoningAttack attack = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.05, 42);
 * PoisonedData p = attack.poison(train);          // p.poisoned(): the changed indices, exactly
 * LabeledData success = attack.attackTest(test);  // a model's accuracy on it is the attack's success
 * }</pre>
 */
public interface PoisoningAttack {

    /** What every poisoning attack's configuration record holds. */
    interface Config {
        /** The seed of every random choice. */
        long seed();
    }

    /** A short name for reports, such as {@code BadNets}. */
    String name();

    /** The attack's configuration record, valid by construction. */
    Config config();

    /**
     * The poisoned copy of {@code clean}: the changed examples' indices are reported exactly and
     * {@code clean} is not modified.
     *
     * @throws IllegalArgumentException naming what does not fit: the data, a class, too few
     *     eligible examples
     */
    PoisonedData poison(LabeledData clean);

    /**
     * The attack-success test: inputs labelled as the attacker wants, so that a model's accuracy on
     * it is the attack's success rate.
     *
     * @throws IllegalArgumentException if {@code test} does not fit the attack
     */
    LabeledData attackTest(LabeledData test);
}
