package dev.rampart.defenses.certification;

import dev.rampart.core.check.Check;
import dev.rampart.core.report.Provenance;

/**
 * The certificates of {@link BoundPropagation#certify}: per budget and example, the lower bound of
 * the smallest margin {@code z_y - z_j} over the ball; an example is verified at a budget when the
 * model classifies it correctly and that bound is positive.
 *
 * <pre>{@code
 * BoundCertificates c = crown.certify(testSet, 0.1);
 * System.out.printf("verified %.3f of %d%n", c.verifiedAccuracy(0), c.size());
 * }</pre>
 *
 * @param epsilons the budgets
 * @param labels the true labels
 * @param predicted the model's class for each clean example
 * @param margins {@code margins[k][i]}: the lower bound of example {@code i}'s smallest margin at
 *     budget {@code k}
 * @param config how the bounds were computed
 * @param seconds the time the certificates took
 * @param provenance how they were made
 */
public record BoundCertificates(double[] epsilons, int[] labels, int[] predicted, double[][] margins,
        BoundPropagation.Config config, double seconds, Provenance provenance) implements Certificates {

    /** Copies the arrays. @throws IllegalArgumentException if their lengths differ */
    public BoundCertificates {
        Check.notNull("epsilons", epsilons);
        Check.notNull("labels", labels);
        Check.notNull("predicted", predicted);
        Check.notNull("margins", margins);
        Check.notNull("config", config);
        epsilons = epsilons.clone();
        labels = labels.clone();
        predicted = predicted.clone();
        double[][] copy = new double[margins.length][];
        for (int k = 0; k < margins.length; k++) {
            copy[k] = margins[k].clone();
            if (copy[k].length != labels.length) {
                throw new IllegalArgumentException("margins[" + k + "] must hold " + labels.length + " values, found "
                        + copy[k].length);
            }
        }
        margins = copy;
        if (predicted.length != labels.length || margins.length != epsilons.length) {
            throw new IllegalArgumentException("certificates need one prediction per label and one margin row per"
                    + " budget");
        }
    }

    @Override
    public double[] epsilons() {
        return epsilons.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public int[] predicted() {
        return predicted.clone();
    }

    @Override
    public double[][] margins() {
        double[][] copy = new double[margins.length][];
        for (int k = 0; k < margins.length; k++) {
            copy[k] = margins[k].clone();
        }
        return copy;
    }

    /** The number of examples. */
    @Override
    public int size() {
        return labels.length;
    }

    /** Whether example {@code i} is verified at budget {@code k}. */
    public boolean verified(int k, int i) {
        return predicted[i] == labels[i] && margins[k][i] > 0;
    }

    /** How many examples are verified at budget {@code k}. */
    public int verifiedCount(int k) {
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            c += verified(k, i) ? 1 : 0;
        }
        return c;
    }

    /** The share of examples verified at budget {@code k}: the verified robust accuracy. */
    public double verifiedAccuracy(int k) {
        return (double) verifiedCount(k) / labels.length;
    }

    /** The verified robust accuracy at every budget, in the order of {@link #epsilons()}. */
    public double[] verifiedAccuracies() {
        double[] out = new double[epsilons.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = verifiedAccuracy(k);
        }
        return out;
    }

    /**
     * The share of examples verified at the smallest budget computed that is at least {@code
     * epsilon} (the balls are nested, so it is verified at {@code epsilon} too): exact at a
     * computed budget, a lower bound between two, 0 beyond the largest.
     *
     * @throws IllegalArgumentException if {@code epsilon} is negative or not finite
     */
    @Override
    public double certifiedAccuracy(double epsilon) {
        Check.finiteNotNegative("epsilon", epsilon);
        int best = -1;
        for (int k = 0; k < epsilons.length; k++) {
            if (epsilons[k] >= epsilon && (best < 0 || epsilons[k] < epsilons[best])) {
                best = k;
            }
        }
        return best < 0 ? 0 : verifiedAccuracy(best);
    }

    /** The share of clean examples classified correctly. */
    public double cleanAccuracy() {
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            c += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) c / labels.length;
    }
}
