package dev.rampart.audit.report;

import dev.rampart.audit.Numbers;
import dev.rampart.audit.Audit;
import dev.rampart.audit.AuditReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The audit as a console table: for every attack and budget, each model's robust accuracy (the
 * share of test images still classified correctly under attack) and the attack's time, with a
 * legend and the gradient-masking warnings under it.
 */
public final class ConsoleReport {

    private ConsoleReport() {
    }

    /** The table, its legend and the warnings. */
    public static String table(AuditReport report) {
        List<String> header = new ArrayList<>(List.of("attack", "epsilon (" + report.config().norm().name()
                .replace("LINF", "L-inf") + ")"));
        for (AuditReport.ModelResult m : report.models()) {
            header.add(m.name() + ": accuracy");
            header.add("time");
        }
        Table t = new Table(header.toArray(new String[0]));
        List<String> clean = new ArrayList<>(List.of("clean (no attack)", "-"));
        for (AuditReport.ModelResult m : report.models()) {
            clean.add(Numbers.percent(m.cleanAccuracy()));
            clean.add("-");
        }
        t.row(clean.toArray(new String[0]));
        for (int k = 0; k < report.first().rows().size(); k++) {
            AuditReport.Row r0 = report.first().rows().get(k);
            List<String> cells = new ArrayList<>(List.of(r0.attack(), Numbers.epsilon(r0.epsilon())));
            for (AuditReport.ModelResult m : report.models()) {
                AuditReport.Row r = m.rows().get(k);
                cells.add(Numbers.percent(r.robustAccuracy()));
                cells.add(Double.isNaN(r.seconds()) ? "-" : String.format(Locale.ROOT, "%.1f s", r.seconds()));
            }
            t.row(cells.toArray(new String[0]));
        }
        StringBuilder out = new StringBuilder(t.toString());
        out.append(String.format(Locale.ROOT, "%nAccuracy: share of the %d test images still classified correctly"
                + " under the attack (robust accuracy; 95%% intervals in the JSON and HTML reports).%n"
                + "worst case: an image counts as robust only if no attack above fooled it at that budget.%n"
                + "time: wall time of the attack at that budget (C&W and DeepFool: one run held to every budget).%n",
                report.samples()));
        for (AuditReport.ModelResult m : report.models()) {
            for (String w : m.warnings()) {
                out.append("WARNING (").append(m.name()).append("): ").append(w).append('\n');
            }
        }
        return out.toString();
    }
}
