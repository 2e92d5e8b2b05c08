package dev.rampart.audit;

import dev.rampart.core.report.Provenance;
import java.util.List;

/**
 * The result of an {@link Audit}: per model, clean accuracy and robust accuracy per attack and
 * budget, each with its 95% Wilson interval, per class, the per-example worst case over attacks,
 * gradient-masking warnings and a gallery of adversarial examples.
 *
 * @param models one result per model, in the configured order
 * @param dataset where the test examples came from
 * @param samples number of test examples
 * @param classNames a name per class
 * @param config the audit's configuration
 * @param seconds wall time
 * @param provenance versions and backend
 */
public record AuditReport(List<ModelResult> models, String dataset, int samples, List<String> classNames,
        AuditConfig config, double seconds, Provenance provenance) {

    /** The version of the JSON report's layout; it changes whenever a field does. */
    public static final int SCHEMA_VERSION = 2;
    /** The option name of the per-example worst case over all attacks. */
    public static final String WORST_CASE = "worst";

    public AuditReport {
        models = List.copyOf(models);
        classNames = List.copyOf(classNames);
    }

    /**
     * One model's results.
     *
     * @param name the model as named on the command line
     * @param description a description of the model
     * @param correct examples classified correctly before any attack
     * @param cleanAccuracy their share
     * @param cleanInterval its 95% Wilson interval
     * @param classTotal examples per class
     * @param classCorrect examples per class classified correctly before any attack
     * @param rows one row per attack and budget, then one worst-case row per budget
     * @param warnings gradient-masking warnings of the AutoAttack runs
     * @param gallery adversarial examples for the HTML report
     */
    public record ModelResult(String name, String description, int correct, double cleanAccuracy,
            double[] cleanInterval, int[] classTotal, int[] classCorrect, List<Row> rows, List<String> warnings,
            List<GalleryItem> gallery) {

        public ModelResult {
            rows = List.copyOf(rows);
            warnings = List.copyOf(warnings);
            gallery = List.copyOf(gallery);
        }

        /**
         * The row of attack {@code option} (such as {@code pgd}, or {@link AuditReport#WORST_CASE})
         * at {@code epsilon}.
         *
         * @throws IllegalArgumentException if there is none
         */
        public Row row(String option, double epsilon) {
            return rows.stream().filter(r -> r.option().equals(option) && r.epsilon() == epsilon).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no row for " + option + " at " + epsilon));
        }
    }

    /**
     * One attack at one budget.
     *
     * @param attack the attack's name, such as {@code PGD-20} (or {@code worst case})
     * @param option its option spelling, such as {@code pgd} (or {@link AuditReport#WORST_CASE})
     * @param epsilon the budget
     * @param robust examples still classified correctly under attack
     * @param total examples attacked
     * @param robustAccuracy {@code robust / total}
     * @param interval the 95% Wilson interval of the robust accuracy
     * @param successRate share of the examples correctly classified before the attack that it fooled
     * @param medianPerturbation median norm of the perturbations that fooled the model (NaN if none)
     * @param seconds wall time (of the whole sweep for minimum-norm attacks; NaN for the worst case)
     * @param classRobust robust examples per class
     * @param settings the attack's configuration, for reports
     */
    public record Row(String attack, String option, double epsilon, int robust, int total, double robustAccuracy,
            double[] interval, double successRate, double medianPerturbation, double seconds, int[] classRobust,
            String settings) {
    }

    /**
     * One adversarial example, for the HTML report's gallery.
     *
     * @param index the example's index in the test data
     * @param label its true class
     * @param cleanClass the model's class on the clean input
     * @param cleanConfidence the model's probability of that class
     * @param adversarialClass the model's class on the adversarial input
     * @param adversarialConfidence the model's probability of that class
     * @param attack the attack that made it
     * @param epsilon its budget
     * @param shape the shape of one example ({@code [c, h, w]})
     * @param clean the clean input
     * @param adversarial the adversarial input
     * @param saliency the magnitude of the loss gradient at the clean input (for the true class)
     */
    public record GalleryItem(int index, int label, int cleanClass, double cleanConfidence, int adversarialClass,
            double adversarialConfidence, String attack, double epsilon, long[] shape, float[] clean,
            float[] adversarial, float[] saliency) {
    }

    /** The first model's result. */
    public ModelResult first() {
        return models.get(0);
    }
}
