package dev.rampart.audit.report;

import dev.rampart.audit.AuditReport;
import dev.rampart.audit.Gates;
import dev.rampart.audit.Numbers;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

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

    /** One test case before it is written. */
    private record Case(String name, double seconds, String out, List<Gates.Check> failures) {
    }

    /** The XML document, written by the JDK's XML stream writer (which escapes every value). */
    public static String write(AuditReport report, List<Gates.Check> checks) {
        Map<String, List<Case>> suites = new LinkedHashMap<>();
        for (AuditReport.ModelResult m : report.models()) {
            List<Case> cases = new ArrayList<>();
            cases.add(new Case("clean accuracy", 0, String.format(Locale.ROOT,
                    "clean accuracy %s (95%% interval %s to %s) on %d examples", Numbers.percent(m.cleanAccuracy()),
                    Numbers.percent(m.cleanInterval()[0]), Numbers.percent(m.cleanInterval()[1]),
                    report.samples()), failed(checks, m.name(), "clean", Double.NaN)));
            for (AuditReport.Row r : m.rows()) {
                String out = String.format(Locale.ROOT, "robust accuracy %s (95%% interval %s to %s), %d of %d robust,"
                        + " success rate among correctly classified %s; %s", Numbers.percent(r.robustAccuracy()),
                        Numbers.percent(r.interval()[0]), Numbers.percent(r.interval()[1]), r.robust(),
                        r.total(), Numbers.percent(r.successRate()), r.settings());
                cases.add(new Case(r.attack() + " at epsilon " + Numbers.epsilon(r.epsilon()),
                        Double.isNaN(r.seconds()) ? 0 : r.seconds(), out, failed(checks, m.name(), r.option(),
                                r.epsilon())));
            }
            suites.put(m.name(), cases);
        }
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuites");
            w.writeAttribute("name", "rampart audit");
            counts(w, suites.values().stream().flatMap(List::stream).toList(), report.seconds());
            for (Map.Entry<String, List<Case>> suite : suites.entrySet()) {
                w.writeCharacters("\n  ");
                w.writeStartElement("testsuite");
                w.writeAttribute("name", clean("rampart audit: " + suite.getKey()));
                counts(w, suite.getValue(), report.seconds());
                for (Case c : suite.getValue()) {
                    w.writeCharacters("\n    ");
                    w.writeStartElement("testcase");
                    w.writeAttribute("classname", clean(suite.getKey()));
                    w.writeAttribute("name", clean(c.name()));
                    w.writeAttribute("time", String.format(Locale.ROOT, "%.3f", c.seconds()));
                    for (Gates.Check f : c.failures()) {
                        w.writeCharacters("\n      ");
                        w.writeEmptyElement("failure");
                        w.writeAttribute("message", clean(f.message()));
                        w.writeAttribute("type", "quality gate");
                    }
                    w.writeCharacters("\n      ");
                    w.writeStartElement("system-out");
                    w.writeCharacters(clean(c.out()));
                    w.writeEndElement();
                    w.writeCharacters("\n    ");
                    w.writeEndElement();
                }
                w.writeCharacters("\n  ");
                w.writeEndElement();
            }
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing the JUnit XML failed: " + e.getMessage(), e);
        }
        return text.toString();
    }

    /** The tests, failures, errors and time attributes of a suite (or of all suites). */
    private static void counts(XMLStreamWriter w, List<Case> cases, double seconds) throws XMLStreamException {
        w.writeAttribute("tests", Integer.toString(cases.size()));
        w.writeAttribute("failures", Long.toString(cases.stream().filter(c -> !c.failures().isEmpty()).count()));
        w.writeAttribute("errors", "0");
        w.writeAttribute("time", String.format(Locale.ROOT, "%.3f", seconds));
    }

    private static List<Gates.Check> failed(List<Gates.Check> checks, String model, String option, double eps) {
        return checks.stream().filter(c -> !c.passed() && c.model().equals(model) && c.option().equals(option)
                && (Double.isNaN(eps) ? Double.isNaN(c.epsilon()) : c.epsilon() == eps)).toList();
    }

    /** {@code s} without the control characters XML 1.0 cannot hold (tabs and line ends stay). */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
                b.append(c);
            }
        }
        return b.toString();
    }
}
