package dev.rampart.audit.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.audit.Numbers;
import dev.rampart.defenses.poisoning.PoisonReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A poison scan as JSON: the detector and its configuration (with the seed), the data scanned, the
 * flagged examples' indices, each class's verdict and figures, and provenance; the same facts the
 * {@link PoisonReport} holds, with no figure inside a string.
 *
 * <pre>{@code
 * Files.writeString(Path.of("scan.json"), PoisonReportJson.write(report, "train-images-idx3-ubyte.gz (60000)"));
 * }</pre>
 */
public final class PoisonReportJson {

    /** The version of the layout; it changes whenever a field does. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PoisonReportJson() {
    }

    /** The report as indented JSON; {@code data} says what was scanned. */
    public static String write(PoisonReport report, String data) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "rampart scan");
        root.putAll(toMap(report, data, true));
        root.put("provenance", JsonReport.provenance(report.provenance()));
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /**
     * The report's fields (detector, configuration, seed, data, counts, flagged indices if
     * {@code withIndices}, per-class verdicts and figures) as a JSON-ready map, for reports that
     * hold several detectors' results.
     */
    public static Map<String, Object> toMap(PoisonReport report, String data, boolean withIndices) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("detector", report.detector());
        root.put("config", Records.toMap((Record) report.config()));
        root.put("seed", report.seed());
        root.put("data", data);
        root.put("examples", report.flagged().length);
        root.put("flaggedCount", report.flaggedCount());
        if (withIndices) {
            root.put("flagged", indices(report.flagged()));
        }
        List<Object> classes = new ArrayList<>();
        for (PoisonReport.ClassSummary c : report.classes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class", c.label());
            m.put("examples", c.examples());
            m.put("flagged", c.flagged());
            m.put("verdict", c.verdict().name());
            Map<String, Object> figures = new LinkedHashMap<>();
            c.figures().forEach((k, v) -> figures.put(k, Numbers.round(v, 6)));
            m.put("figures", figures);
            classes.add(m);
        }
        root.put("classes", classes);
        return root;
    }

    /** The indices where {@code flagged} is true. */
    public static List<Integer> indices(boolean[] flagged) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < flagged.length; i++) {
            if (flagged[i]) {
                out.add(i);
            }
        }
        return out;
    }
}
