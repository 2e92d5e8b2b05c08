package dev.rampart.attacks.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Label-flipping poisoning: the features are left alone and labels are changed, either uniformly
 * (a share of all examples get a uniformly random other class: the label noise studied by Biggio,
 * Nelson &amp; Laskov, "Support vector machines under adversarial label noise", ACML 2011) or
 * targeted (a share of one source class relabelled as one target class, which teaches the model
 * to confuse them).
 *
 * <pre>{@code
 * PoisonedData p = LabelFlipping.uniform(0.10, 42).poison(train);
 * PoisonedData q = LabelFlipping.targeted(6, 0, 0.3, 42).poison(train);   // 30% of shirts become T-shirts
 * }</pre>
 */
public final class LabelFlipping implements PoisoningAttack {

    /** Which labels are flipped, and to what. */
    public sealed interface Mode permits Uniform, Targeted {
    }

    /** A share of all labels, each to a uniformly random other class. */
    public record Uniform() implements Mode {
    }

    /**
     * A share of the examples of class {@code source}, relabelled {@code target}.
     *
     * @param source the class whose examples are relabelled
     * @param target their new label
     */
    public record Targeted(int source, int target) implements Mode {
        /** @throws IllegalArgumentException if the classes are equal or negative */
        public Targeted {
            if (source < 0 || target < 0 || source == target) {
                throw new IllegalArgumentException("source and target must be two different classes, found " + source
                        + " and " + target);
            }
        }
    }

    /**
     * Label flipping's configuration.
     *
     * @param mode uniform or targeted
     * @param rate the share of all labels (uniform) or of the source class (targeted), in (0, 1)
     * @param seed fixes which labels flip, and to what
     */
    public record Config(Mode mode, double rate, long seed) implements PoisoningAttack.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("mode", mode);
            Check.share("rate", rate);
        }
    }

    private final Config config;

    /** The attack of {@code config}. */
    public LabelFlipping(Config config) {
        this.config = Check.notNull("config", config);
    }

    /** Flips {@code rate} of all labels, each to a uniformly random other class. */
    public static LabelFlipping uniform(double rate, long seed) {
        return new LabelFlipping(new Config(new Uniform(), rate, seed));
    }

    /**
     * Relabels {@code rate} of the examples of class {@code source} as {@code target}.
     *
     * @throws IllegalArgumentException if the classes are equal or negative, or the rate is outside (0, 1)
     */
    public static LabelFlipping targeted(int source, int target, double rate, long seed) {
        return new LabelFlipping(new Config(new Targeted(source, target), rate, seed));
    }

    @Override
    public String name() {
        return "label flipping";
    }

    @Override
    public Config config() {
        return config;
    }

    /**
     * The poisoned copy of {@code clean}.
     *
     * @throws IllegalArgumentException if a class is not one of the data's, or the source class has
     *     no example
     */
    @Override
    public PoisonedData poison(LabeledData clean) {
        Check.notNull("clean", clean);
        int[] y = clean.labels();
        int k = clean.numClasses();
        int[] chosen;
        if (config.mode() instanceof Targeted t) {
            Check.label("source", t.source(), k);
            Check.label("target", t.target(), k);
            int[] ofSource = PoisonSampling.where(y, c -> c == t.source());
            if (ofSource.length == 0) {
                throw new IllegalArgumentException("source class " + t.source() + " has no example in " + clean.name());
            }
            chosen = PoisonSampling.choose(ofSource, PoisonSampling.count(config.rate(), ofSource.length),
                    Seeds.derive(config.seed(), 1));
            for (int i : chosen) {
                y[i] = t.target();
            }
        } else {
            chosen = PoisonSampling.choose(PoisonSampling.where(y, c -> true), PoisonSampling.count(config.rate(),
                    y.length), Seeds.derive(config.seed(), 1));
            SplittableRandom rnd = Seeds.random(Seeds.derive(config.seed(), 2));
            for (int i : chosen) {
                y[i] = (y[i] + 1 + rnd.nextInt(k - 1)) % k;
            }
        }
        return PoisonedData.of(new LabeledData(clean.name() + ":flipped", clean.features().dup(), y, k), chosen, this);
    }

    /**
     * The targeted attack's test: the test examples of the source class, labelled as the target, so
     * that a model's accuracy on it is the attack's success rate.
     *
     * @throws IllegalStateException for the uniform attack, which has no target
     */
    @Override
    public LabeledData attackTest(LabeledData test) {
        if (!(config.mode() instanceof Targeted t)) {
            throw new IllegalStateException("uniform label flipping has no target: measure the clean accuracy instead");
        }
        Check.notNull("test", test);
        int[] idx = PoisonSampling.where(test.labels(), c -> c == t.source());
        if (idx.length == 0) {
            throw new IllegalArgumentException("test (" + test.name() + ") has no example of the source class "
                    + t.source());
        }
        int[] y = new int[idx.length];
        Arrays.fill(y, t.target());
        return new LabeledData(test.name() + ":source-as-target", Rows.gather(test.features(), idx), y,
                test.numClasses());
    }
}
