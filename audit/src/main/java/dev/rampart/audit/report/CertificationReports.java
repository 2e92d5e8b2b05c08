package dev.rampart.audit.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.audit.Numbers;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.certification.BoundCertificates;
import dev.rampart.defenses.certification.PoisoningCertificates;
import dev.rampart.defenses.certification.SmoothingCertificates;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The report of {@code rampart certify}: certified accuracy against the budget (an L2 radius for
 * randomized smoothing, an L-inf or L2 epsilon for bound propagation (IBP, CROWN-IBP, CROWN), a
 * number of poisoned training examples for deep partition aggregation), as
 * JSON (schema version {@value #SCHEMA_VERSION}), as one self-contained HTML page with the curve, and
 * as JUnit XML with one test case per gate ({@code --require "smoothing@0.5>=0.6"}: certified
 * accuracy at radius 0.5 at least 60%; {@code crown@0.1>=0.6}: at least 60% verified by CROWN at
 * epsilon 0.1; {@code dpa@10>=0.5}: at least 50% certified against 10 poisoned examples).
 *
 * <pre>{@code
 * CertificationReports.Certified c = CertificationReports.Certified.of("model.zip", "test set", certificates,
 *         new double[] {0, 0.25, 0.5}, List.of(CertificationReports.parse("smoothing@0.5>=0.6")), Provenance.current());
 * AtomicFiles.writeString(Path.of("certify.json"), CertificationReports.json(c));
 * }</pre>
 */
public final class CertificationReports {

    /** The version of the layouts; it changes whenever a field does. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern GATE = Pattern.compile("^(smoothing|dpa|crown-ibp|crown|ibp)@([0-9.eE+-]+)(>=|>)([0-9.eE+-]+)(%?)$");

    private CertificationReports() {
    }

    /**
     * A gate on certified accuracy.
     *
     * @param spec the text as given
     * @param method the certification method
     * @param budget an L2 radius (smoothing) or a number of poisoned examples (dpa)
     * @param strict {@code >} rather than {@code >=}
     * @param value the threshold, a share in [0, 1]
     */
    public record Requirement(String spec, String method, double budget, boolean strict, double value) {
        /** Whether {@code accuracy} meets it. */
        public boolean met(double accuracy) {
            return strict ? accuracy > value : accuracy >= value;
        }
    }

    /**
     * What was certified, in the terms both methods share: a curve of certified accuracy against a
     * budget (an L2 radius for smoothing, a number of poisoned training examples for partition
     * aggregation), per-example rows and gates.
     *
     * @param model the model or recipe, in words
     * @param data the data, in words
     * @param method {@code smoothing}, {@code ibp}, {@code crown-ibp}, {@code crown} or {@code dpa}
     * @param budget what the curve's budget is, in words ({@code L2 radius}, {@code poisoned examples})
     * @param budgetKey the budget's JSON key ({@code radius}, {@code size})
     * @param config the method's configuration record
     * @param examples the number of examples certified
     * @param abstained the share abstained on (NaN: the method never abstains)
     * @param median the median certified budget (of the correct examples for smoothing, of all for dpa;
     *     for bound propagation the largest budget of the curve verified, median over all examples)
     * @param seconds the time certification took
     * @param points the budgets of the curve
     * @param accuracy the certified accuracy at any budget
     * @param perExample one row per example
     * @param requirements the gates
     * @param provenance versions and backend
     */
    public record Certified(String model, String data, String method, String budget, String budgetKey, Record config,
            int examples, double abstained, double median, double seconds, double[] points,
            java.util.function.DoubleUnaryOperator accuracy, List<Map<String, Object>> perExample,
            List<Requirement> requirements, Provenance provenance) {
        public Certified {
            points = points.clone();
            perExample = List.copyOf(perExample);
            requirements = List.copyOf(requirements);
        }

        @Override
        public double[] points() {
            return points.clone();
        }

        /** Whether every gate is met. */
        public boolean passed() {
            return requirements.stream().allMatch(r -> r.met(accuracy.applyAsDouble(r.budget())));
        }

        /** Randomized smoothing's certificates, reported at {@code radii}. */
        public static Certified of(String model, String data, SmoothingCertificates c, double[] radii,
                List<Requirement> requirements, Provenance provenance) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int[] classes = c.classes();
            double[] r = c.radii();
            double[] lower = c.pALower();
            int[] labels = c.labels();
            for (int i = 0; i < classes.length; i++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", c.firstIndex() + i);
                e.put("label", labels[i]);
                e.put("certifiedClass", classes[i]);
                e.put("radius", Numbers.round(r[i], 6));
                e.put("pALower", Numbers.round(lower[i], 8));
                rows.add(e);
            }
            return new Certified(model, data, "smoothing", "L2 radius", "radius", c.config(), c.size(), c.abstained(),
                    c.medianCorrectRadius(), c.seconds(), radii, c::certifiedAccuracy, rows, requirements, provenance);
        }

        /** Bound propagation's certificates, reported at every budget they were computed for. */
        public static Certified of(String model, String data, BoundCertificates c, List<Requirement> requirements,
                Provenance provenance) {
            double[] eps = c.epsilons();
            int[] labels = c.labels();
            int[] predicted = c.predicted();
            double[][] margins = c.margins();
            List<Map<String, Object>> rows = new ArrayList<>();
            double[] largest = new double[labels.length];
            for (int i = 0; i < labels.length; i++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", i);
                e.put("label", labels[i]);
                e.put("predicted", predicted[i]);
                Map<String, Object> m = new LinkedHashMap<>();
                for (int k = 0; k < eps.length; k++) {
                    m.put(String.valueOf(eps[k]), Numbers.round(margins[k][i], 6));
                    if (c.verified(k, i)) {
                        largest[i] = Math.max(largest[i], eps[k]);
                    }
                }
                e.put("marginLowerBound", m);
                rows.add(e);
            }
            double[] sorted = largest.clone();
            java.util.Arrays.sort(sorted);
            double median = sorted.length == 0 ? 0 : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            return new Certified(model, data, c.config().method().label(), c.config().norm() == dev.rampart.core.norm.Norm.L2
                    ? "L2 epsilon" : "L-inf epsilon", "epsilon", c.config(), c.size(), Double.NaN, median, c.seconds(),
                    eps, v -> {
                        for (int k = 0; k < eps.length; k++) {
                            if (eps[k] == v) {
                                return c.verifiedAccuracy(k);
                            }
                        }
                        throw new IllegalArgumentException("no certificates were computed at epsilon " + v);
                    }, rows, requirements, provenance);
        }

        /** Whether the method is bound propagation (ibp, crown-ibp or crown). */
        public boolean bounds() {
            return !method.equals("dpa") && !method.equals("smoothing");
        }

        /** Deep partition aggregation's certificates, reported at {@code sizes}. */
        public static Certified of(String model, String data, PoisoningCertificates c, int[] sizes,
                List<Requirement> requirements, Provenance provenance) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int[] classes = c.classes();
            int[] certified = c.certifiedSizes();
            int[] labels = c.labels();
            for (int i = 0; i < classes.length; i++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", i);
                e.put("label", labels[i]);
                e.put("class", classes[i]);
                e.put("certifiedSize", certified[i]);
                rows.add(e);
            }
            return new Certified(model, data, "dpa", "poisoned examples", "size", c.config(), c.size(), Double.NaN,
                    c.medianCertifiedSize(), c.seconds(), java.util.Arrays.stream(sizes).asDoubleStream().toArray(),
                    v -> c.certifiedAccuracy((int) Math.floor(v)), rows, requirements, provenance);
        }
    }

    /**
     * @throws IllegalArgumentException naming {@code --require} and the text, if it does not parse
     */
    public static Requirement parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        Matcher m = GATE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("--require '" + spec + "' is not smoothing@radius>=value,"
                    + " ibp|crown-ibp|crown@epsilon>=value or dpa@size>=value (for example smoothing@0.5>=0.60,"
                    + " crown@0.1>=60% or dpa@10>=0.5)");
        }
        double radius;
        double value;
        try {
            radius = Double.parseDouble(m.group(2));
            value = Double.parseDouble(m.group(4)) / (m.group(5).isEmpty() ? 1 : 100);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--require '" + spec + "': a radius or threshold is not a number");
        }
        if (!(radius >= 0) || !Double.isFinite(radius)) {
            throw new IllegalArgumentException("--require '" + spec + "': the budget must be finite and >= 0, found "
                    + m.group(2));
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("--require '" + spec + "': the threshold must be a share in [0, 1] or a"
                    + " percentage, found " + m.group(4) + m.group(5));
        }
        return new Requirement(spec, m.group(1), radius, m.group(3).equals(">"), value);
    }

    /** The certification as indented JSON. */
    public static String json(Certified c) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "rampart certify");
        root.put("method", c.method());
        root.put("model", c.model());
        root.put("data", c.data());
        root.put("config", Records.toMap(c.config()));
        root.put("examples", c.examples());
        root.put("abstained", Double.isNaN(c.abstained()) ? null : Numbers.round(c.abstained(), 6));
        root.put(c.method().equals("dpa") ? "medianCertifiedSize" : c.bounds() ? "medianVerifiedEpsilon"
                : "medianCorrectRadius", Numbers.round(c.median(), 6));
        root.put("seconds", Numbers.round(c.seconds(), 2));
        List<Object> curve = new ArrayList<>();
        for (double r : c.points()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put(c.budgetKey(), c.method().equals("dpa") ? (Object) (int) r : (Object) r);
            p.put("certifiedAccuracy", Numbers.round(c.accuracy().applyAsDouble(r), 6));
            curve.add(p);
        }
        root.put("curve", curve);
        List<Object> gates = new ArrayList<>();
        for (Requirement r : c.requirements()) {
            double a = c.accuracy().applyAsDouble(r.budget());
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("require", r.spec());
            g.put("certifiedAccuracy", Numbers.round(a, 6));
            g.put("passed", r.met(a));
            gates.add(g);
        }
        root.put("gates", gates);
        root.put("perExample", c.perExample());
        root.put("provenance", JsonReport.provenance(c.provenance()));
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /** The certification as one self-contained HTML page: the curve as SVG and a table. */
    public static String html(Certified c) {
        StringBuilder h = new StringBuilder(1 << 14);
        String title = "Rampart certify: " + c.model();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(HtmlReport.esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}tr.bad{background:#fdd}"
                        + "</style></head><body>\n<h1>").append(HtmlReport.esc(title)).append("</h1>\n");
        String what = c.bounds()
                ? "Bound propagation (" + HtmlReport.esc(c.method()) + "): an example is verified at a budget when sound"
                        + " bounds show that no input within it changes the model's correct class (no probability of"
                        + " error). Median of the largest verified budget %s."
                : c.method().equals("dpa")
                ? "Deep partition aggregation (Levine &amp; Feizi 2021): the certified size is the number of training"
                        + " examples an attacker must insert or remove to change a prediction (no probability of error)."
                        + " Median certified size %s."
                : "Randomized smoothing (Cohen, Rosenfeld &amp; Kolter 2019): each certificate is wrong with"
                        + " probability at most alpha. Median certified radius of the correct examples %s.";
        h.append("<p>").append(String.format(Locale.ROOT, what, Numbers.round(c.median(), 3))).append(" ")
                .append(HtmlReport.esc(String.valueOf(c.config()))).append(String.format(Locale.ROOT, "; %d examples of ",
                        c.examples())).append(HtmlReport.esc(c.data())).append(Double.isNaN(c.abstained()) ? ""
                        : "; abstained " + Numbers.percent(c.abstained())).append(String.format(Locale.ROOT,
                        "; %.1f s.</p>%n", c.seconds()));
        double[] points = c.points();
        double max = java.util.Arrays.stream(points).max().orElse(1);
        max = max > 0 ? max : 1;
        int w = 480;
        int ht = 240;
        h.append("<svg width=\"").append(w + 60).append("\" height=\"").append(ht + 40).append("\">")
                .append("<line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"").append(ht + 10).append("\" stroke=\"#888\"/>")
                .append("<line x1=\"40\" y1=\"").append(ht + 10).append("\" x2=\"").append(w + 40).append("\" y2=\"")
                .append(ht + 10).append("\" stroke=\"#888\"/><polyline fill=\"none\" stroke=\"#06c\" stroke-width=\"2\""
                        + " points=\"");
        for (double r : points) {
            h.append(String.format(Locale.ROOT, "%.1f,%.1f ", 40 + w * r / max,
                    10 + ht * (1 - c.accuracy().applyAsDouble(r))));
        }
        h.append(String.format(Locale.ROOT, "\"/><text x=\"0\" y=\"16\" font-size=\"11\">100%%</text><text x=\"8\""
                + " y=\"%d\" font-size=\"11\">0%%</text><text x=\"%d\" y=\"%d\" font-size=\"11\">%s %s</text>"
                + "</svg>%n", ht + 12, w - 80, ht + 32, HtmlReport.esc(c.budget()), Numbers.round(max, 3)));
        h.append("<table><tr><th>").append(HtmlReport.esc(c.budget())).append("</th><th>certified accuracy</th></tr>\n");
        for (double r : points) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td></tr>%n", Numbers.round(r, 6),
                    Numbers.percent(c.accuracy().applyAsDouble(r))));
        }
        h.append("</table>\n");
        if (!c.requirements().isEmpty()) {
            h.append("<h2>Gates</h2>\n<table><tr><th>requirement</th><th>certified accuracy</th><th></th></tr>\n");
            for (Requirement r : c.requirements()) {
                double a = c.accuracy().applyAsDouble(r.budget());
                boolean ok = r.met(a);
                h.append("<tr").append(ok ? "" : " class=\"bad\"").append("><td>").append(HtmlReport.esc(r.spec()))
                        .append("</td><td>").append(Numbers.percent(a)).append("</td><td>")
                        .append(ok ? "passed" : "FAILED").append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<p>").append(HtmlReport.esc(String.valueOf(c.provenance()))).append("</p>\n</body></html>\n");
        return h.toString();
    }

    /** The gates as JUnit XML: one test case per requirement (none: one case for the certification itself). */
    public static String junit(Certified c) {
        try {
            StringWriter out = new StringWriter();
            XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            long failures = c.requirements().stream().filter(r -> !r.met(c.accuracy().applyAsDouble(r.budget()))).count();
            x.writeStartElement("testsuite");
            x.writeAttribute("name", "rampart certify");
            x.writeAttribute("tests", String.valueOf(Math.max(1, c.requirements().size())));
            x.writeAttribute("failures", String.valueOf(failures));
            x.writeAttribute("errors", "0");
            x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", c.seconds()));
            x.writeCharacters("\n");
            if (c.requirements().isEmpty()) {
                x.writeStartElement("testcase");
                x.writeAttribute("classname", JunitReport.clean(c.model()));
                x.writeAttribute("name", c.method() + " certified");
                x.writeEndElement();
                x.writeCharacters("\n");
            }
            for (Requirement r : c.requirements()) {
                double a = c.accuracy().applyAsDouble(r.budget());
                x.writeStartElement("testcase");
                x.writeAttribute("classname", JunitReport.clean(c.model()));
                x.writeAttribute("name", JunitReport.clean(r.spec()));
                if (!r.met(a)) {
                    x.writeStartElement("failure");
                    x.writeAttribute("message", JunitReport.clean(String.format(Locale.ROOT,
                            "certified accuracy at %s %s is %s, required %s%s", c.budget(), r.budget(), Numbers.percent(a),
                            r.strict() ? "more than " : "at least ", Numbers.percent(r.value()))));
                    x.writeEndElement();
                }
                x.writeEndElement();
                x.writeCharacters("\n");
            }
            x.writeEndElement();
            x.writeEndDocument();
            x.close();
            return out + "\n";
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit report", e);
        }
    }
}
