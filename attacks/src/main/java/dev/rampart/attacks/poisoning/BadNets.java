package dev.rampart.attacks.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.random.Seeds;
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
public final class BadNets implements PoisoningAttack {

    /** Where triggered inputs are sent. */
    public sealed interface Target permits AllToOne, AllToAll {
        /** The label the attacker wants for an input of class {@code y} among {@code classes}. */
        int attackLabel(int y, int classes);

        /** Whether an example of class {@code y} can carry the trigger (it changes the label). */
        boolean eligible(int y);
    }

    /**
     * Every triggered input to class {@code label}.
     *
     * @param label the target class
     */
    public record AllToOne(int label) implements Target {
        /** @throws IllegalArgumentException if {@code label} is negative */
        public AllToOne {
            if (label < 0) {
                throw new IllegalArgumentException("target must be a class (>= 0), found " + label);
            }
        }

        @Override
        public int attackLabel(int y, int classes) {
            return label;
        }

        @Override
        public boolean eligible(int y) {
            return y != label;
        }
    }

    /** A triggered input of class {@code y} to class {@code (y + 1) mod K}. */
    public record AllToAll() implements Target {
        @Override
        public int attackLabel(int y, int classes) {
            return (y + 1) % classes;
        }

        @Override
        public boolean eligible(int y) {
            return true;
        }
    }

    /**
     * BadNets' configuration.
     *
     * @param trigger the trigger stamped on the poisoned images
     * @param target where triggered inputs go
     * @param rate the share of the training set poisoned, in (0, 1)
     * @param seed fixes which examples are poisoned
     */
    public record Config(Trigger trigger, Target target, double rate, long seed) implements PoisoningAttack.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("trigger", trigger);
            Check.notNull("target", target);
            Check.share("rate", rate);
        }
    }

    private final Config config;

    /** The attack of {@code config}. */
    public BadNets(Config config) {
        this.config = Check.notNull("config", config);
    }

    /** All-to-one: {@code rate} of the training set, drawn from classes other than {@code target}. */
    public static BadNets allToOne(Trigger trigger, int target, double rate, long seed) {
        return new BadNets(new Config(trigger, new AllToOne(target), rate, seed));
    }

    /** All-to-all: {@code rate} of the training set, each relabelled {@code (y + 1) mod K}. */
    public static BadNets allToAll(Trigger trigger, double rate, long seed) {
        return new BadNets(new Config(trigger, new AllToAll(), rate, seed));
    }

    @Override
    public String name() {
        return "BadNets";
    }

    @Override
    public Config config() {
        return config;
    }

    /** The trigger. */
    public Trigger trigger() {
        return config.trigger();
    }

    /** The poisoned copy of {@code clean} (images in [0, 1]; see {@link #poison(LabeledData, InputDomain)}). */
    @Override
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
        Check.notNull("clean", clean);
        config.trigger().check(clean.exampleShape(), domain);
        int k = clean.numClasses();
        checkTarget(k);
        int[] y = clean.labels();
        int[] eligible = PoisonSampling.where(y, config.target()::eligible);
        int[] chosen = PoisonSampling.choose(eligible, PoisonSampling.count(config.rate(), y.length),
                Seeds.derive(config.seed(), 1));
        INDArray x = clean.features().dup();
        Rows.scatter(x, chosen, config.trigger().stamp(Rows.gather(x, chosen)));
        for (int i : chosen) {
            y[i] = config.target().attackLabel(y[i], k);
        }
        return PoisonedData.of(new LabeledData(clean.name() + ":badnets", x, y, k), chosen, this);
    }

    /**
     * The test images whose attack label differs from their own (all but the target class for
     * all-to-one), triggered and labelled with the attack label.
     */
    @Override
    public LabeledData attackTest(LabeledData test) {
        Check.notNull("test", test);
        config.trigger().check(test.exampleShape(), null);
        int k = test.numClasses();
        checkTarget(k);
        int[] idx = PoisonSampling.where(test.labels(), config.target()::eligible);
        int[] y = Rows.pick(test.labels(), idx);
        for (int i = 0; i < y.length; i++) {
            y[i] = config.target().attackLabel(y[i], k);
        }
        return new LabeledData(test.name() + ":triggered", config.trigger().stamp(Rows.gather(test.features(), idx)),
                y, k);
    }

    private void checkTarget(int classes) {
        if (config.target() instanceof AllToOne one) {
            Check.label("target", one.label(), classes);
        }
    }
}
