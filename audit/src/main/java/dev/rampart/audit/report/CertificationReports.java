package dev.rampart.audit.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.audit.Numbers;
import dev.rampart.core.check.Check;
import dev.rampart.core.report.Provenance;
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
 * The report of {@code rampart certify}: certified accuracy against the L2 radius, as JSON (schema
 * version {@value #SCHEMA_VERSION}), as one self-contained HTML page with the curve, and as JUnit
 * XML with one test case per gate ({@code --require "smoothing@0.5>=0.6"}: certified accuracy at
 * radius 0.5 at least 60%).
 *
 * <pre>{@code
 * CertificationReports.Certified c = new CertificationReports.Certified("model.zip", "test set", certificates,
 *         new double[] {0, 0.25, 0.5}, List.of(CertificationReports.parse("smoothing@0.5>=0.6")), Provenance.current());
 * AtomicFiles.writeString(Path.of("certify.json"), CertificationReports.json(c));
 * }</pre>
 */
public final class CertificationReports {

    /** The version of the layouts; it changes whenever a field does. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern GATE = Pattern.compile("^(smoothing)@([0-9.eE+-]+)(>=|>)([0-9.eE+-]+)(%?)$");

    private CertificationReports() {
    }

    /**
     * A gate on certified accuracy.
     *
     * @param spec the text as given
     * @param method the certification method
     * @param radius the L2 radius
     * @param strict {@code >} rather than {@code >=}
     * @param value the threshold, a share in [0, 1]
     */
    public record Requirement(String spec, String method, double radius, boolean strict, double value) {
        /** Whether {@code accuracy} meets it. */
        public boolean met(double accuracy) {
            return strict ? accuracy > value : accuracy >= value;
        }
    }

    /**
     * What was certified.
     *
     * @param model the model, in words
     * @param data the data, in words
     * @param certificates the certificates (with labels)
     * @param radii the radii the curve is reported at
     * @param requirements the gates
     * @param provenance versions and backend
     */
    public record Certified(String model, String data, SmoothingCertificates certificates, double[] radii,
            List<Requirement> requirements, Provenance provenance) {
        public Certified {
            Check.notNull("certificates", certificates);
            radii = radii.clone();
            requirements = List.copyOf(requirements);
        }

        @Override
        public double[] radii() {
            return radii.clone();
        }

        /** Whether every gate is met. */
        public boolean passed() {
            return requirements.stream().allMatch(r -> r.met(certificates.certifiedAccuracy(r.radius())));
        }
    }

    /**
     * @throws IllegalArgumentException naming {@code --require} and the text, if it does not parse
     */
    public static Requirement parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        Matcher m = GATE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("--require '" + spec + "' is not smoothing@radius>=value (for example"
                    + " smoothing@0.5>=0.60 or smoothing@0.5>=60%)");
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
            throw new IllegalArgumentException("--require '" + spec + "': the radius must be finite and >= 0, found "
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
        SmoothingCertificates s = c.certificates();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "rampart certify");
        root.put("method", "smoothing");
        root.put("model", c.model());
        root.put("data", c.data());
        root.put("config", Records.toMap(s.config()));
        root.put("examples", s.size());
        root.put("abstained", Numbers.round(s.abstained(), 6));
        root.put("medianCorrectRadius", Numbers.round(s.medianCorrectRadius(), 6));
        root.put("seconds", Numbers.round(s.seconds(), 2));
        List<Object> curve = new ArrayList<>();
        for (double r : c.radii()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("radius", r);
            p.put("certifiedAccuracy", Numbers.round(s.certifiedAccuracy(r), 6));
            curve.add(p);
        }
        root.put("curve", curve);
        List<Object> gates = new ArrayList<>();
        for (Requirement r : c.requirements()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("require", r.spec());
            g.put("certifiedAccuracy", Numbers.round(s.certifiedAccuracy(r.radius()), 6));
            g.put("passed", r.met(s.certifiedAccuracy(r.radius())));
            gates.add(g);
        }
        root.put("gates", gates);
        List<Object> examples = new ArrayList<>();
        int[] classes = s.classes();
        double[] radii = s.radii();
        double[] lower = s.pALower();
        int[] labels = s.labels();
        for (int i = 0; i < classes.length; i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", s.firstIndex() + i);
            e.put("label", labels[i]);
            e.put("certifiedClass", classes[i]);
            e.put("radius", Numbers.round(radii[i], 6));
            e.put("pALower", Numbers.round(lower[i], 8));
            examples.add(e);
        }
        root.put("perExample", examples);
        root.put("provenance", JsonReport.provenance(c.provenance()));
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /** The certification as one self-contained HTML page: the curve as SVG and a table. */
    public static String html(Certified c) {
        SmoothingCertificates s = c.certificates();
        StringBuilder h = new StringBuilder(1 << 14);
        String title = "Rampart certify: " + c.model();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(HtmlReport.esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}tr.bad{background:#fdd}"
                        + "</style></head><body>\n<h1>").append(HtmlReport.esc(title)).append("</h1>\n");
        h.append(String.format(Locale.ROOT, "<p>Randomized smoothing (Cohen, Rosenfeld &amp; Kolter 2019), sigma %s,"
                + " n0 %d, n %d, alpha %s, on %d examples of %s: each certificate is wrong with probability at most"
                + " alpha. Abstained: %s. Median certified radius of the correct ones: %.3f. %.1f s.</p>%n",
                s.config().sigma(), s.config().n0(), s.config().n(), s.config().alpha(), s.size(),
                HtmlReport.esc(c.data()), Numbers.percent(s.abstained()), s.medianCorrectRadius(), s.seconds()));
        double[] radii = c.radii();
        double maxR = radii.length == 0 ? 1 : java.util.Arrays.stream(radii).max().orElse(1);
        maxR = maxR > 0 ? maxR : 1;
        int w = 480;
        int ht = 240;
        h.append("<svg width=\"").append(w + 60).append("\" height=\"").append(ht + 40).append("\">")
                .append("<line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"").append(ht + 10).append("\" stroke=\"#888\"/>")
                .append("<line x1=\"40\" y1=\"").append(ht + 10).append("\" x2=\"").append(w + 40).append("\" y2=\"")
                .append(ht + 10).append("\" stroke=\"#888\"/><polyline fill=\"none\" stroke=\"#06c\" stroke-width=\"2\""
                        + " points=\"");
        for (double r : radii) {
            h.append(String.format(Locale.ROOT, "%.1f,%.1f ", 40 + w * r / maxR, 10 + ht * (1 - s.certifiedAccuracy(r))));
        }
        h.append(String.format(Locale.ROOT, "\"/><text x=\"0\" y=\"16\" font-size=\"11\">100%%</text><text x=\"8\""
                + " y=\"%d\" font-size=\"11\">0%%</text><text x=\"%d\" y=\"%d\" font-size=\"11\">L2 radius %.2f</text>"
                + "</svg>%n", ht + 12, w - 40, ht + 32, maxR));
        h.append("<table><tr><th>L2 radius</th><th>certified accuracy</th></tr>\n");
        for (double r : radii) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td></tr>%n", r,
                    Numbers.percent(s.certifiedAccuracy(r))));
        }
        h.append("</table>\n");
        if (!c.requirements().isEmpty()) {
            h.append("<h2>Gates</h2>\n<table><tr><th>requirement</th><th>certified accuracy</th><th></th></tr>\n");
            for (Requirement r : c.requirements()) {
                boolean ok = r.met(s.certifiedAccuracy(r.radius()));
                h.append("<tr").append(ok ? "" : " class=\"bad\"").append("><td>").append(HtmlReport.esc(r.spec()))
                        .append("</td><td>").append(Numbers.percent(s.certifiedAccuracy(r.radius()))).append("</td><td>")
                        .append(ok ? "passed" : "FAILED").append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<p>").append(HtmlReport.esc(String.valueOf(c.provenance()))).append("</p>\n</body></html>\n");
        return h.toString();
    }

    /** The gates as JUnit XML: one test case per requirement (none: one case for the certification itself). */
    public static String junit(Certified c) {
        SmoothingCertificates s = c.certificates();
        try {
            StringWriter out = new StringWriter();
            XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            long failures = c.requirements().stream().filter(r -> !r.met(s.certifiedAccuracy(r.radius()))).count();
            x.writeStartElement("testsuite");
            x.writeAttribute("name", "rampart certify");
            x.writeAttribute("tests", String.valueOf(Math.max(1, c.requirements().size())));
            x.writeAttribute("failures", String.valueOf(failures));
            x.writeAttribute("errors", "0");
            x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", s.seconds()));
            x.writeCharacters("\n");
            if (c.requirements().isEmpty()) {
                x.writeStartElement("testcase");
                x.writeAttribute("classname", JunitReport.clean(c.model()));
                x.writeAttribute("name", "smoothing certified");
                x.writeEndElement();
                x.writeCharacters("\n");
            }
            for (Requirement r : c.requirements()) {
                double a = s.certifiedAccuracy(r.radius());
                x.writeStartElement("testcase");
                x.writeAttribute("classname", JunitReport.clean(c.model()));
                x.writeAttribute("name", JunitReport.clean(r.spec()));
                if (!r.met(a)) {
                    x.writeStartElement("failure");
                    x.writeAttribute("message", JunitReport.clean(String.format(Locale.ROOT,
                            "certified accuracy at L2 radius %s is %s, required %s%s", r.radius(), Numbers.percent(a),
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
