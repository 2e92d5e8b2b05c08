package dev.rampart.audit.report;

import dev.rampart.audit.Numbers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.audit.Audit;
import dev.rampart.audit.AuditReport;
import dev.rampart.audit.Gates;
import dev.rampart.core.report.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit as JSON, with a schema version ({@link AuditReport#SCHEMA_VERSION}), the definitions
 * of its figures, shares rounded to six decimals (no float noise) and the provenance; and the
 * reading of such a report as a baseline for {@link Gates}.
 *
 * <pre>{@code
 * Files.writeString(Path.of("audit.json"), JsonReport.write(report, checks));
 * Gates.Baseline before = JsonReport.readBaseline(Path.of("previous.json"));
 * }</pre>
 */
public final class JsonReport {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    /** The report and the gates' outcomes (none if empty) as indented JSON. */
    public static String write(AuditReport report, List<Gates.Check> checks) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", AuditReport.SCHEMA_VERSION);
        root.put("tool", "rampart audit");
        root.put("definitions", Map.of(
                "robustAccuracy", "share of the test examples still classified correctly under the attack",
                "interval", "95% Wilson score interval of the share",
                "successRate", "share of the examples classified correctly before the attack that the attack fooled",
                "medianPerturbation", "median norm of the perturbations that fooled the model, in the audit's norm",
                "worst", "per example, robust only if no attack of the audit fooled it at that budget"));
        root.put("dataset", report.dataset());
        root.put("samples", report.samples());
        root.put("norm", report.config().norm().name());
        root.put("classes", report.classNames());
        List<Object> models = new ArrayList<>();
        for (AuditReport.ModelResult m : report.models()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", m.name());
            o.put("description", m.description());
            o.put("cleanAccuracy", share(m.cleanAccuracy()));
            o.put("cleanInterval", interval(m.cleanInterval()));
            o.put("correct", m.correct());
            List<Object> classes = new ArrayList<>();
            for (int c = 0; c < m.classTotal().length; c++) {
                Map<String, Object> cl = new LinkedHashMap<>();
                cl.put("class", report.classNames().get(c));
                cl.put("examples", m.classTotal()[c]);
                cl.put("clean", m.classCorrect()[c]);
                classes.add(cl);
            }
            o.put("classes", classes);
            List<Object> rows = new ArrayList<>();
            for (AuditReport.Row r : m.rows()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("attack", r.attack());
                row.put("option", r.option());
                row.put("epsilon", Double.parseDouble(Numbers.epsilon(r.epsilon())));
                row.put("robustAccuracy", share(r.robustAccuracy()));
                row.put("interval", interval(r.interval()));
                row.put("robust", r.robust());
                row.put("total", r.total());
                row.put("successRate", share(r.successRate()));
                row.put("medianPerturbation", share(r.medianPerturbation()));
                row.put("seconds", Double.isNaN(r.seconds()) ? null : Numbers.round(r.seconds(), 3));
                row.put("classRobust", r.classRobust());
                row.put("settings", r.settings());
                rows.add(row);
            }
            o.put("results", rows);
            o.put("warnings", m.warnings());
            models.add(o);
        }
        root.put("models", models);
        if (!checks.isEmpty()) {
            List<Object> gates = new ArrayList<>();
            for (Gates.Check c : checks) {
                gates.add(Map.of("passed", c.passed(), "message", c.message()));
            }
            root.put("gates", gates);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("models", report.config().models());
        c.put("attacks", report.config().attacks().stream().map(a -> a.option()).toList());
        c.put("epsilons", report.config().epsilons());
        c.put("pgdSteps", report.config().pgdSteps());
        c.put("pgdRestarts", report.config().pgdRestarts());
        c.put("squareQueries", report.config().squareQueries());
        c.put("batchSize", report.config().batchSize());
        c.put("seed", report.config().seed());
        root.put("config", c);
        root.put("seconds", Numbers.round(report.seconds(), 3));
        root.put("provenance", provenance(report.provenance()));
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /** The provenance as a JSON-ready map. */
    public static Map<String, Object> provenance(Provenance p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rampart", p.rampartVersion());
        m.put("nd4j", p.nd4jVersion());
        m.put("backend", p.backend());
        m.put("threads", p.threads());
        m.put("java", p.javaVersion());
        m.put("createdAt", p.createdAt().toString());
        return m;
    }

    private static Double share(double v) {
        return Double.isFinite(v) ? Numbers.round(v, 6) : null;
    }

    private static double[] interval(double[] ci) {
        return new double[] {Numbers.round(ci[0], 6), Numbers.round(ci[1], 6)};
    }

    /**
     * An earlier report read as a baseline, every field checked against the schema.
     *
     * @throws IOException naming the file and what is wrong: unreadable, not JSON, not an audit
     *     report of this schema version, a result without a known attack option, a finite positive
     *     epsilon or a robust accuracy in [0, 1], a result listed twice, no result at all
     */
    public static Gates.Baseline readBaseline(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such baseline report");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a JSON report (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject() || !root.path("schemaVersion").isInt()) {
            throw new IOException(file + ": not a Rampart audit report (no schemaVersion)");
        }
        int version = root.get("schemaVersion").asInt();
        if (version != AuditReport.SCHEMA_VERSION) {
            throw new IOException(file + ": schema version " + version + "; this Rampart reads version "
                    + AuditReport.SCHEMA_VERSION + " (re-run the baseline audit)");
        }
        String normText = root.path("norm").asText("");
        dev.rampart.core.norm.Norm norm;
        try {
            norm = dev.rampart.core.norm.Norm.valueOf(normText);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": norm is '" + normText + "', not LINF or L2");
        }
        List<String> attacks = new ArrayList<>();
        for (JsonNode a : root.path("config").path("attacks")) {
            attacks.add(a.asText());
        }
        if (!root.path("models").isArray() || root.path("models").isEmpty()) {
            throw new IOException(file + ": the report lists no models");
        }
        Map<String, Double> rows = new LinkedHashMap<>();
        for (JsonNode m : root.path("models")) {
            String model = m.path("name").asText("");
            if (model.isEmpty()) {
                throw new IOException(file + ": a model has no name");
            }
            for (JsonNode r : m.path("results")) {
                String option = r.path("option").asText("");
                String where = file + ": model " + model + ", result " + (option.isEmpty() ? "?" : option);
                if (!option.equals(AuditReport.WORST_CASE)) {
                    try {
                        dev.rampart.audit.AuditConfig.AttackKind.parse(option);
                    } catch (IllegalArgumentException e) {
                        throw new IOException(where + ": '" + option + "' is not an attack of the audit");
                    }
                }
                JsonNode eps = r.path("epsilon");
                JsonNode acc = r.path("robustAccuracy");
                if (!eps.isNumber() || !(eps.asDouble() > 0) || !Double.isFinite(eps.asDouble())) {
                    throw new IOException(where + ": epsilon must be a positive number, found " + eps);
                }
                if (!acc.isNumber() || !(acc.asDouble() >= 0 && acc.asDouble() <= 1)) {
                    throw new IOException(where + " at epsilon " + eps.asText() + ": robustAccuracy must be a share in"
                            + " [0, 1], found " + acc);
                }
                String key = Gates.key(model, option, eps.asDouble());
                if (rows.put(key, acc.asDouble()) != null) {
                    throw new IOException(where + " at epsilon " + eps.asText() + " is listed twice");
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ": the report holds no results");
        }
        return new Gates.Baseline(file, norm, attacks, rows);
    }
}
