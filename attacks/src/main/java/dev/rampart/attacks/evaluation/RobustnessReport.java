package dev.rampart.attacks.evaluation;

import dev.rampart.core.norm.Norm;
import dev.rampart.core.report.Provenance;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of an ensemble evaluation: each example's worst case over the attacks, what each
 * attack added, and any gradient-masking warnings.
 *
 * @param norm the threat model's norm
 * @param epsilon the budget
 * @param size number of examples
 * @param cleanAccuracy share classified correctly before any attack
 * @param steps one entry per attack, in the order they ran
 * @param robust whether each example survived every attack
 * @param brokenBy the name of the attack that first fooled each example ({@code "clean"} if it
 *     was misclassified to begin with, {@code null} if it survived)
 * @param worstCase each example's adversarial point (the clean input if it survived)
 * @param warnings gradient-masking warnings (empty if the checks did not run or found nothing)
 * @param seconds wall time of the attacks
 * @param seed the seed of every random choice
 * @param provenance versions and backend
 */
public record RobustnessReport(Norm norm, double epsilon, int size, double cleanAccuracy, List<Step> steps,
        boolean[] robust, String[] brokenBy, INDArray worstCase, List<MaskingWarning> warnings, double seconds,
        long seed, Provenance provenance) {

    public RobustnessReport {
        steps = List.copyOf(steps);
        warnings = List.copyOf(warnings);
    }

    /**
     * One attack of the ensemble.
     *
     * @param attack its name
     * @param queryOnly whether the attack used queries only (no gradient)
     * @param attacked examples it ran on (those still robust)
     * @param broken examples it fooled
     * @param robustAccuracyAfter robust accuracy over all examples once it has run
     * @param seconds its wall time
     */
    public record Step(String attack, boolean queryOnly, int attacked, int broken, double robustAccuracyAfter, double seconds) {
    }

    /** Share of examples that survived every attack. */
    public double robustAccuracy() {
        int r = 0;
        for (boolean b : robust) {
            r += b ? 1 : 0;
        }
        return (double) r / size;
    }

    /** A copy with the given warnings. */
    public RobustnessReport withWarnings(List<MaskingWarning> found) {
        return new RobustnessReport(norm, epsilon, size, cleanAccuracy, steps, robust, brokenBy, worstCase, found,
                seconds, seed, provenance);
    }
}
