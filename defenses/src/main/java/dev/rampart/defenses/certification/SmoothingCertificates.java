package dev.rampart.defenses.certification;

import dev.rampart.core.check.Check;
import dev.rampart.core.report.Provenance;

/**
 * The certificates of {@link RandomizedSmoothing#certify}: per example the smoothed classifier's
 * class (or {@link RandomizedSmoothing#ABSTAIN}) and the L2 radius within which no perturbation
 * changes it, each wrong with probability at most the configuration's alpha.
 *
 * <pre>{@code
 * SmoothingCertificates c = smoothing.certify(testSet);
 * double[] curve = c.certifiedAccuracy(new double[] {0, 0.25, 0.5, 1.0});
 * }</pre>
 *
 * @param classes the certified class per example, or {@link RandomizedSmoothing#ABSTAIN}
 * @param radii the certified L2 radius per example (0 where abstained)
 * @param pALower the lower confidence bound on the top class's probability under the noise
 * @param topCounts how many of the {@code n} noisy copies took the top class
 * @param labels the true labels, or null when none were given
 * @param config the configuration
 * @param firstIndex the index of the first example (its noise seed)
 * @param seconds the time the certificates took
 * @param provenance how they were made
 */
public record SmoothingCertificates(int[] classes, double[] radii, double[] pALower, int[] topCounts, int[] labels,
        RandomizedSmoothing.Config config, long firstIndex, double seconds, Provenance provenance)
        implements Certificates {

    /** Copies the arrays. @throws IllegalArgumentException if their lengths differ or a value is NaN */
    public SmoothingCertificates {
        Check.notNull("classes", classes);
        Check.notNull("config", config);
        classes = classes.clone();
        radii = Check.finite(radii.clone(), "radii");
        pALower = Check.finite(pALower.clone(), "pALower");
        topCounts = topCounts.clone();
        labels = labels == null ? null : labels.clone();
        int n = classes.length;
        if (radii.length != n || pALower.length != n || topCounts.length != n || (labels != null && labels.length != n)) {
            throw new IllegalArgumentException("certificates of " + n + " examples need arrays of that length");
        }
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    @Override
    public double[] radii() {
        return radii.clone();
    }

    @Override
    public double[] pALower() {
        return pALower.clone();
    }

    @Override
    public int[] topCounts() {
        return topCounts.clone();
    }

    @Override
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** The number of examples. */
    @Override
    public int size() {
        return classes.length;
    }

    /** The share of examples the smoothed classifier abstained on. */
    public double abstained() {
        int a = 0;
        for (int c : classes) {
            a += c == RandomizedSmoothing.ABSTAIN ? 1 : 0;
        }
        return (double) a / classes.length;
    }

    /**
     * The certified accuracy at L2 radius {@code radius}: the share of examples whose certified class
     * is their label with a radius of at least {@code radius} (at 0: the smoothed classifier's
     * accuracy, abstentions counted wrong).
     *
     * @throws IllegalStateException if no labels were given
     * @throws IllegalArgumentException if {@code radius} is negative or not finite
     */
    @Override
    public double certifiedAccuracy(double radius) {
        if (labels == null) {
            throw new IllegalStateException("certified accuracy needs labels: certify a LabeledData");
        }
        Check.finiteNotNegative("radius", radius);
        int ok = 0;
        for (int i = 0; i < classes.length; i++) {
            ok += classes[i] == labels[i] && radii[i] >= radius ? 1 : 0;
        }
        return (double) ok / classes.length;
    }

    /** {@link #certifiedAccuracy(double)} at each radius. */
    public double[] certifiedAccuracy(double[] radii) {
        Check.notNull("radii", radii);
        double[] out = new double[radii.length];
        for (int i = 0; i < radii.length; i++) {
            out[i] = certifiedAccuracy(radii[i]);
        }
        return out;
    }

    /** The median certified radius of the examples certified correctly (0 if none). */
    public double medianCorrectRadius() {
        if (labels == null) {
            throw new IllegalStateException("the median correct radius needs labels: certify a LabeledData");
        }
        double[] r = java.util.stream.IntStream.range(0, classes.length).filter(i -> classes[i] == labels[i])
                .mapToDouble(i -> radii[i]).sorted().toArray();
        return r.length == 0 ? 0 : r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
    }
}
