package dev.rampart.attacks.extraction;

import dev.rampart.core.model.Classifier;

/**
 * Copycat CNN (Correia-Silva, Berriel, Badue, de Souza &amp; Oliveira-Santos, "Copycat CNN:
 * Stealing Knowledge by Persuading Confession with Random Non-Labeled Data", IJCNN 2018): label a
 * pool of unlabelled images, typically from another domain, with the victim's top-1 answers and
 * train a substitute on them. It is {@link KnockoffNets}' random strategy with {@link Answers#LABELS}
 * answers; this builder presets both.
 *
 * <pre>{@code
 * ExtractionResult r = CopycatCnn.builder(victim).pool(otherImages).budgets(1000, 5000)
 *         .substitute(substitute).heldOut(test).seed(1).build().run();
 * }</pre>
 */
public final class CopycatCnn {

    private CopycatCnn() {
    }

    /** A {@link KnockoffNets} builder set to random sampling and top-1 answers. */
    public static KnockoffNets.Builder builder(Classifier victim) {
        return KnockoffNets.builder(victim).random().answers(Answers.LABELS).name("Copycat CNN");
    }
}
