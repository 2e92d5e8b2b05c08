package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.random.Seeds;
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
public final class LabelFlipping {

    private final double rate;
    private final int source;
    private final int target;
    private final long seed;

    private LabelFlipping(double rate, int source, int target, long seed) {
        PoisonChecks.rate(rate);
        this.rate = rate;
        this.source = source;
        this.target = target;
        this.seed = seed;
    }

    /** Flips {@code rate} of all labels, each to a uniformly random other class. */
    public static LabelFlipping uniform(double rate, long seed) {
        return new LabelFlipping(rate, -1, -1, seed);
    }

    /**
     * Relabels {@code rate} of the examples of class {@code source} as {@code target}.
     *
     * @throws IllegalArgumentException if the classes are equal or negative, or the rate is outside (0, 1)
     */
    public static LabelFlipping targeted(int source, int target, double rate, long seed) {
        if (source < 0 || target < 0 || source == target) {
            throw new IllegalArgumentException("source and target must be two different classes, found " + source
                    + " and " + target);
        }
        return new LabelFlipping(rate, source, target, seed);
    }

    /**
     * The poisoned copy of {@code clean}.
     *
     * @throws IllegalArgumentException if a class is not one of the data's, or the source class has
     *     no example
     */
    public PoisonedData poison(LabeledData clean) {
        if (clean == null) {
            throw new IllegalArgumentException("clean must not be null");
        }
        int[] y = clean.labels();
        int k = clean.numClasses();
        int[] chosen;
        String what;
        if (source < 0) {
            chosen = PoisonChecks.choose(PoisonChecks.where(y, c -> true), PoisonChecks.count(rate, y.length),
                    Seeds.derive(seed, 1));
            SplittableRandom rnd = Seeds.random(Seeds.derive(seed, 2));
            for (int i : chosen) {
                y[i] = (y[i] + 1 + rnd.nextInt(k - 1)) % k;
            }
            what = String.format(java.util.Locale.ROOT, "label flipping, uniform, %.3g of all labels", rate);
        } else {
            PoisonChecks.label(source, k, "source");
            PoisonChecks.label(target, k, "target");
            int[] ofSource = PoisonChecks.where(y, c -> c == source);
            if (ofSource.length == 0) {
                throw new IllegalArgumentException("source class " + source + " has no example in " + clean.name());
            }
            chosen = PoisonChecks.choose(ofSource, PoisonChecks.count(rate, ofSource.length), Seeds.derive(seed, 1));
            for (int i : chosen) {
                y[i] = target;
            }
            what = String.format(java.util.Locale.ROOT, "label flipping, %.3g of class %d as %d", rate, source, target);
        }
        return new PoisonedData(new LabeledData(clean.name() + ":flipped", clean.features().dup(), y, k), chosen, what);
    }

    /**
     * The targeted attack's test: the test examples of the source class, labelled as the target, so
     * that a model's accuracy on it is the attack's success rate.
     *
     * @throws IllegalStateException for the uniform attack, which has no target
     */
    public LabeledData attackTest(LabeledData test) {
        if (source < 0) {
            throw new IllegalStateException("uniform label flipping has no target: measure the clean accuracy instead");
        }
        int[] idx = PoisonChecks.where(test.labels(), c -> c == source);
        int[] y = new int[idx.length];
        java.util.Arrays.fill(y, target);
        return new LabeledData(test.name() + ":source-as-target", dev.rampart.core.data.Rows.gather(test.features(),
                idx), y, test.numClasses());
    }
}
