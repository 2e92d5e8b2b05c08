package dev.rampart.audit;

import dev.rampart.core.metric.Metrics;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/** The report's row of one attack at one budget: robust accuracy with its interval, per class, success, median norm. */
final class ResultRows {

    /** The confidence of the reported intervals. */
    static final double CONFIDENCE = 0.95;

    private ResultRows() {
    }

    /**
     * @param option the attack's option spelling (or {@link AuditReport#WORST_CASE})
     * @param correct whether each example was classified correctly before any attack
     */
    static AuditReport.Row row(Outcome o, String option, boolean[] correct, int[] labels, int classes) {
        int n = labels.length;
        int robust = Metrics.count(o.robust());
        int[] classRobust = new int[classes];
        int fooled = 0;
        int correctCount = 0;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            classRobust[labels[i]] += o.robust()[i] ? 1 : 0;
            if (correct[i]) {
                correctCount++;
                if (!o.robust()[i]) {
                    norms[fooled++] = o.norms()[i];
                }
            }
        }
        boolean certificate = !option.equals(AuditReport.WORST_CASE) && AuditConfig.AttackKind.parse(option).certificate();
        double median = fooled == 0 || certificate || option.equals(AuditReport.WORST_CASE) ? Double.NaN
                : new Median().evaluate(norms, 0, fooled);
        double success = correctCount == 0 || certificate ? Double.NaN : (double) fooled / correctCount;
        return new AuditReport.Row(o.attack(), option, o.epsilon(), robust, n, (double) robust / n,
                Metrics.wilson(robust, n, CONFIDENCE), success, median, o.seconds(), classRobust, o.settings());
    }
}
