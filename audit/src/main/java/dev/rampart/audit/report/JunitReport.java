package dev.rampart.audit.report;

import dev.rampart.audit.Numbers;
import dev.rampart.audit.Audit;
import dev.rampart.audit.AuditReport;
import dev.rampart.audit.Gates;
import java.util.List;
import java.util.Locale;

/**
 * The audit as JUnit XML, so that CI systems show it natively: one test suite per model, one test
 * case for its clean accuracy and one per attack and budget (the worst case included), failed when
 * a quality gate on that row failed. Each case's output holds the figures.
 *
 * <pre>{@code
 * Files.writeString(Path.of("audit.xml"), JunitReport.write(report, checks));
 * }</pre>
 */
public final class JunitReport {

    private JunitReport() {
    }

    /** The XML document. */
    public static String write(AuditReport report, List<Gates.Check> checks) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        int tests = 0;
        int failures = 0;
        StringBuilder suites = new StringBuilder();
        for (AuditReport.ModelResult m : report.models()) {
            StringBuilder cases = new StringBuilder();
            int suiteTests = 0;
            int suiteFailures = 0;
            suiteTests++;
            suiteFailures += testCase(cases, m.name(), "clean accuracy", 0, String.format(Locale.ROOT,
                    "clean accuracy %s (95%% interval %s to %s) on %d examples", Numbers.percent(m.cleanAccuracy()),
                    Numbers.percent(m.cleanInterval()[0]), Numbers.percent(m.cleanInterval()[1]),
                    report.samples()), failed(checks, m.name(), "clean", Double.NaN));
            for (AuditReport.Row r : m.rows()) {
                suiteTests++;
                String name = r.attack() + " at epsilon " + Numbers.epsilon(r.epsilon());
                String out = String.format(Locale.ROOT, "robust accuracy %s (95%% interval %s to %s), %d of %d robust,"
                        + " success rate among correctly classified %s; %s", Numbers.percent(r.robustAccuracy()),
                        Numbers.percent(r.interval()[0]), Numbers.percent(r.interval()[1]), r.robust(),
                        r.total(), Numbers.percent(r.successRate()), r.settings());
                suiteFailures += testCase(cases, m.name(), name, Double.isNaN(r.seconds()) ? 0 : r.seconds(), out,
                        failed(checks, m.name(), r.option(), r.epsilon()));
            }
            tests += suiteTests;
            failures += suiteFailures;
            suites.append(String.format(Locale.ROOT, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\""
                    + " time=\"%.3f\">%n", xml("rampart audit: " + m.name()), suiteTests, suiteFailures,
                    report.seconds())).append(cases).append("  </testsuite>\n");
        }
        sb.append(String.format(Locale.ROOT, "<testsuites name=\"rampart audit\" tests=\"%d\" failures=\"%d\" errors=\"0\""
                + " time=\"%.3f\">%n", tests, failures, report.seconds()));
        return sb.append(suites).append("</testsuites>\n").toString();
    }

    /** Appends one test case; returns 1 if it failed. */
    private static int testCase(StringBuilder sb, String model, String name, double seconds, String out,
            List<Gates.Check> failedChecks) {
        sb.append(String.format(Locale.ROOT, "    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">%n", xml(model),
                xml(name), seconds));
        for (Gates.Check c : failedChecks) {
            sb.append("      <failure message=\"").append(xml(c.message())).append("\" type=\"quality gate\"/>\n");
        }
        sb.append("      <system-out>").append(xml(out)).append("</system-out>\n    </testcase>\n");
        return failedChecks.isEmpty() ? 0 : 1;
    }

    private static List<Gates.Check> failed(List<Gates.Check> checks, String model, String option, double eps) {
        return checks.stream().filter(c -> !c.passed() && c.model().equals(model) && c.option().equals(option)
                && (Double.isNaN(eps) ? Double.isNaN(c.epsilon()) : c.epsilon() == eps)).toList();
    }

    static String xml(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
