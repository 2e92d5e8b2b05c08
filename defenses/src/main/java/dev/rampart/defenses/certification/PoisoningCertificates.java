package dev.rampart.defenses.certification;

import dev.rampart.core.check.Check;
import dev.rampart.core.report.Provenance;

/**
 * The certificates of {@link PartitionAggregation}: per test example the ensemble's class and the
 * number of training examples an attacker must insert or remove to change it (deterministic: no
 * probability of error).
 *
 * <pre>{@code
 * PoisoningCertificates c = ensemble.certify(test);
 * c.certifiedAccuracy(0);       // the ensemble's accuracy
 * c.medianCertifiedSize();      // the paper's headline figure
 * }</pre>
 *
 * @param classes the ensemble's class per example
 * @param certifiedSizes the certified poisoning size per example
 * @param labels the true labels
 * @param config the ensemble's configuration
 * @param seconds the time the votes took
 * @param provenance how they were made
 */
public record PoisoningCertificates(int[] classes, int[] certifiedSizes, int[] labels,
        PartitionAggregation.Config config, double seconds, Provenance provenance) implements Certificates {

    /** Copies the arrays. @throws IllegalArgumentException if their lengths differ */
    public PoisoningCertificates {
        Check.notNull("classes", classes);
        classes = classes.clone();
        certifiedSizes = Check.notNull("certifiedSizes", certifiedSizes).clone();
        labels = Check.notNull("labels", labels).clone();
        if (certifiedSizes.length != classes.length || labels.length != classes.length) {
            throw new IllegalArgumentException("certificates of " + classes.length + " examples need arrays of that"
                    + " length");
        }
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    @Override
    public int[] certifiedSizes() {
        return certifiedSizes.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public int size() {
        return classes.length;
    }

    /**
     * {@link #certifiedAccuracy(int)} at a budget of {@code size} poisoned examples, rounded down
     * (a certificate of 3 covers 3.7 poisoned examples only if it covers 3).
     *
     * @throws IllegalArgumentException if {@code size} is negative or not finite
     */
    @Override
    public double certifiedAccuracy(double size) {
        Check.finiteNotNegative("size", size);
        return certifiedAccuracy((int) Math.min(Integer.MAX_VALUE, Math.floor(size)));
    }

    /**
     * The share of examples classified correctly with a certified poisoning size of at least
     * {@code size} (at 0: the ensemble's accuracy).
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public double certifiedAccuracy(int size) {
        Check.notNegative("size", size);
        int ok = 0;
        for (int i = 0; i < classes.length; i++) {
            ok += classes[i] == labels[i] && certifiedSizes[i] >= size ? 1 : 0;
        }
        return (double) ok / classes.length;
    }

    /**
     * The median certified size over all examples, a wrongly classified one counting as 0 (Levine &amp;
     * Feizi's "median certified robustness").
     */
    public double medianCertifiedSize() {
        int[] s = new int[classes.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = classes[i] == labels[i] ? certifiedSizes[i] : 0;
        }
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
