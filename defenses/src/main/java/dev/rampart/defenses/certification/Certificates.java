package dev.rampart.defenses.certification;

import dev.rampart.core.report.Provenance;

/**
 * What every certification method gives (one shape for randomized smoothing, bound propagation
 * and partition aggregation): per example a certificate, and the share of examples classified
 * correctly and certified at a budget, a lower bound on the accuracy any attacker within that
 * budget can leave. The budget is an L2 radius for {@link SmoothingCertificates}, an L-inf or L2
 * epsilon for {@link BoundCertificates} and a number of poisoned training examples for {@link
 * PoisoningCertificates}.
 *
 * <pre>{@code
 * Certificates c = BoundPropagation.builder(model).build().certify(test, 0.05, 0.1);
 * double atTenth = c.certifiedAccuracy(0.1);
 * }</pre>
 */
public interface Certificates {

    /** The number of examples certified. */
    int size();

    /**
     * The share of examples classified correctly and certified at {@code budget}.
     *
     * @throws IllegalArgumentException if {@code budget} is negative or not finite
     */
    double certifiedAccuracy(double budget);

    /** The method's configuration, with its seed where it has one. */
    Record config();

    /** The time certification took, in seconds. */
    double seconds();

    /** Versions and backend that made the certificates. */
    Provenance provenance();
}
