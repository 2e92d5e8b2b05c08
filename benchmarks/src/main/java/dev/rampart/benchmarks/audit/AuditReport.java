package dev.rampart.benchmarks.audit;

import dev.rampart.core.report.Json;
import dev.rampart.core.report.Provenance;
import dev.rampart.core.report.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of an {@link Audit}: per model, clean accuracy and robust accuracy per attack and
 * budget (with the per-example worst case over attacks) and any gradient-masking warnings.
 *
 * @param models one result per model, in the configured order
 * @param dataset where the test examples came from
 * @param samples number of test examples
 * @param config the audit's configuration
 * @param seconds wall time
 * @param provenance versions and backend
 */
public record AuditReport(List<ModelResult> models, String dataset, int samples, AuditConfig config, double seconds,
        Provenance provenance) {

    /** Name of the per-example worst case over all attacks. */
    public static final String WORST_CASE = "worst case";

    public AuditReport {
        models = List.copyOf(models);
    }

    /**
     * One model's results.
     *
     * @param model a description of the model
     * @param cleanAccuracy accuracy on the clean examples
     * @param rows one row per attack and budget, then one worst-case row per budget
     * @param warnings gradient-masking warnings of the AutoAttack runs
     */
    public record ModelResult(String model, double cleanAccuracy, List<Row> rows, List<String> warnings) {

        public ModelResult {
            rows = List.copyOf(rows);
            warnings = List.copyOf(warnings);
        }

        /** The row of {@code attack} at {@code epsilon}. */
        public Row row(String attack, double epsilon) {
            return rows.stream().filter(r -> r.attack().equals(attack) && r.epsilon() == epsilon).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no row for " + attack + " at " + epsilon));
        }
    }

    /**
     * One attack at one budget.
     *
     * @param attack the attack's name (or {@link #WORST_CASE})
     * @param epsilon the budget
     * @param robustAccuracy fraction still classified correctly
     * @param successRate fraction of examples the attack fooled
     * @param meanPerturbation mean norm of the perturbation
     * @param seconds wall time (of the whole sweep, for minimum-norm attacks)
     */
    public record Row(String attack, double epsilon, double robustAccuracy, double successRate,
            double meanPerturbation, double seconds) {
    }

    /** The first model's result. */
    public ModelResult first() {
        return models.get(0);
    }

    /** The report as a console table: robust accuracy and time of every model side by side. */
    public String table() {
        List<String> header = new ArrayList<>(List.of("attack", "epsilon (" + config.norm() + ")"));
        for (ModelResult m : models) {
            header.add(m.model());
            header.add("time");
        }
        Table t = new Table(header.toArray(new String[0]));
        List<String> clean = new ArrayList<>(List.of("clean", "-"));
        for (ModelResult m : models) {
            clean.add(pct(m.cleanAccuracy()));
            clean.add("-");
        }
        t.row(clean.toArray(new String[0]));
        for (int k = 0; k < first().rows().size(); k++) {
            Row r0 = first().rows().get(k);
            List<String> cells = new ArrayList<>(List.of(r0.attack(), fmt(r0.epsilon())));
            for (ModelResult m : models) {
                Row r = m.rows().get(k);
                cells.add(pct(r.robustAccuracy()));
                cells.add(Double.isNaN(r.seconds()) ? "-" : String.format(Locale.ROOT, "%.1fs", r.seconds()));
            }
            t.row(cells.toArray(new String[0]));
        }
        StringBuilder out = new StringBuilder(t.toString());
        for (ModelResult m : models) {
            for (String w : m.warnings()) {
                out.append("WARNING (").append(m.model()).append("): ").append(w).append('\n');
            }
        }
        return out.toString();
    }

    /** The report as JSON. */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", dataset);
        root.put("samples", samples);
        root.put("norm", config.norm().name());
        List<Object> ms = new ArrayList<>();
        for (ModelResult mr : models) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", mr.model());
            m.put("cleanAccuracy", mr.cleanAccuracy());
            List<Object> list = new ArrayList<>();
            for (Row r : mr.rows()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("attack", r.attack());
                o.put("epsilon", r.epsilon());
                o.put("robustAccuracy", r.robustAccuracy());
                o.put("successRate", r.successRate());
                o.put("meanPerturbation", r.meanPerturbation());
                o.put("seconds", r.seconds());
                list.add(o);
            }
            m.put("results", list);
            m.put("warnings", mr.warnings());
            ms.add(m);
        }
        root.put("models", ms);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("models", config.models());
        c.put("attacks", config.attacks().stream().map(AuditConfig.AttackKind::option).toList());
        c.put("epsilons", config.epsilons());
        c.put("pgdSteps", config.pgdSteps());
        c.put("pgdRestarts", config.pgdRestarts());
        c.put("squareQueries", config.squareQueries());
        c.put("batchSize", config.batchSize());
        c.put("seed", config.seed());
        root.put("config", c);
        root.put("seconds", seconds);
        root.put("provenance", Json.of(provenance));
        return Json.write(root);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
