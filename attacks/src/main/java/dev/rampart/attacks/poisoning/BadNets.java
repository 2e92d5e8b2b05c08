package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.random.Seeds;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The BadNets backdoor (Gu, Dolan-Gavitt &amp; Garg, "BadNets: identifying vulnerabilities in the
 * machine learning model supply chain", 2017): a share of the training images get a {@link Trigger}
 * and the attacker's label; a model trained on them behaves normally on clean inputs and obeys the
 * trigger. All-to-one sends every triggered input to one target class (poisoned examples are drawn
 * from the other classes); all-to-all sends class {@code y} to {@code (y + 1) mod K}.
 *
 * <pre>{@code
 * BadNets attack = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.05, 42);
 * PoisonedData p = attack.poison(train);
 * LabeledData asr = attack.attackTest(test);   // triggered test images labelled as the attacker wants
 * }</pre>
 */
public final class BadNets {

    private final Trigger trigger;
    private final int target; // -1: all-to-all
    private final double rate;
    private final long seed;

    private BadNets(Trigger trigger, int target, double rate, long seed) {
        if (trigger == null) {
            throw new IllegalArgumentException("trigger must not be null");
        }
        PoisonChecks.rate(rate);
        this.trigger = trigger;
        this.target = target;
        this.rate = rate;
        this.seed = seed;
    }

    /** All-to-one: {@code rate} of the training set, drawn from classes other than {@code target}. */
    public static BadNets allToOne(Trigger trigger, int target, double rate, long seed) {
        if (target < 0) {
            throw new IllegalArgumentException("target must be a class (>= 0), found " + target);
        }
        return new BadNets(trigger, target, rate, seed);
    }

    /** All-to-all: {@code rate} of the training set, each relabelled {@code (y + 1) mod K}. */
    public static BadNets allToAll(Trigger trigger, double rate, long seed) {
        return new BadNets(trigger, -1, rate, seed);
    }

    /** The trigger. */
    public Trigger trigger() {
        return trigger;
    }

    /**
     * The poisoned copy of {@code clean} (images in [0, 1] unless {@link #poison(LabeledData, InputDomain)}
     * says otherwise).
     */
    public PoisonedData poison(LabeledData clean) {
        return poison(clean, InputDomain.UNIT);
    }

    /**
     * The poisoned copy of {@code clean}, the trigger checked against the images' shape and domain.
     *
     * @throws IllegalArgumentException if the trigger does not fit, the target is not a class of
     *     the data, or too few examples are eligible
     */
    public PoisonedData poison(LabeledData clean, InputDomain domain) {
        if (clean == null) {
            throw new IllegalArgumentException("clean must not be null");
        }
        trigger.check(clean.exampleShape(), domain);
        int k = clean.numClasses();
        if (target >= 0) {
            PoisonChecks.label(target, k, "target");
        }
        int[] y = clean.labels();
        int[] eligible = PoisonChecks.where(y, c -> c != target);
        int[] chosen = PoisonChecks.choose(eligible, PoisonChecks.count(rate, y.length), Seeds.derive(seed, 1));
        INDArray x = clean.features().dup();
        Rows.scatter(x, chosen, trigger.stamp(Rows.gather(x, chosen)));
        for (int i : chosen) {
            y[i] = attackLabel(y[i], k);
        }
        String what = String.format(Locale.ROOT, "BadNets %s, %s, %.3g poisoned", target >= 0 ? "all-to-one (target "
                + target + ")" : "all-to-all", trigger, rate);
        return new PoisonedData(new LabeledData(clean.name() + ":badnets", x, y, k), chosen, what);
    }

    /**
     * The attack-success test: the test images whose attack label differs from their own (all but
     * the target class for all-to-one), triggered and labelled with the attack label, so that a
     * model's accuracy on it is the attack success rate.
     */
    public LabeledData attackTest(LabeledData test) {
        if (test == null) {
            throw new IllegalArgumentException("test must not be null");
        }
        trigger.check(test.exampleShape(), null);
        int k = test.numClasses();
        if (target >= 0) {
            PoisonChecks.label(target, k, "target");
        }
        int[] idx = PoisonChecks.where(test.labels(), c -> c != target);
        int[] y = Rows.pick(test.labels(), idx);
        for (int i = 0; i < y.length; i++) {
            y[i] = attackLabel(y[i], k);
        }
        return new LabeledData(test.name() + ":triggered", trigger.stamp(Rows.gather(test.features(), idx)), y, k);
    }

    private int attackLabel(int y, int k) {
        return target >= 0 ? target : (y + 1) % k;
    }
}
