package dev.rampart.attacks.evaluation;

/**
 * A sign that gradient-based attacks under-estimate the model's vulnerability, so a robust
 * accuracy measured with them is not to be trusted (Athalye, Carlini &amp; Wagner, ICML 2018;
 * Carlini et al., "On evaluating adversarial robustness", 2019).
 *
 * @param check which check fired
 * @param message what was measured, in words and figures
 */
public record MaskingWarning(Check check, String message) {

    /** The checks of {@link GradientMaskingChecks}. */
    public enum Check {
        /** Robust accuracy rose with a larger epsilon. */
        ACCURACY_RISES_WITH_EPSILON,
        /** A gradient attack with a budget that reaches every input left many examples correct. */
        LARGE_EPSILON_NOT_BROKEN,
        /** A query-only attack fooled examples the gradient attacks could not. */
        BLACK_BOX_BEATS_WHITE_BOX,
        /** One gradient step fooled more examples than the iterative attack. */
        SINGLE_STEP_BEATS_ITERATIVE
    }
}
