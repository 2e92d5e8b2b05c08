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
 * The outcome of an audit: clean accuracy, then robust accuracy per budget and attack, and the
 * per-example worst case over all attacks at each budget.
 *
 * @param model which model
 * @param dataset which data
 * @param samples number of examples
 * @param cleanAccuracy accuracy on the clean examples
 * @param rows one row per budget and attack, then one worst-case row per budget
 * @param config the audit's configuration
 * @param seconds wall time
 * @param provenance versions and backend
 */
public record AuditReport(String model, String dataset, int samples, double cleanAccuracy, List<Row> rows,
        AuditConfig config, double seconds, Provenance provenance) {

    /** Name of the per-example worst case over all attacks. */
    public static final String WORST_CASE = "worst case";

    /**
     * One attack at one budget.
     *
     * @param attack the attack's name (or {@link #WORST_CASE})
     * @param epsilon the budget
     * @param robustAccuracy fraction still classified correctly
     * @param successRate fraction of examples the attack fooled
     * @param meanPerturbation mean norm of the perturbation
     * @param seconds wall time
     */
    public record Row(String attack, double epsilon, double robustAccuracy, double successRate,
            double meanPerturbation, double seconds) {
    }

    /** The row of {@code attack} at {@code epsilon}. */
    public Row row(String attack, double epsilon) {
        return rows.stream().filter(r -> r.attack().equals(attack) && r.epsilon() == epsilon).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row for " + attack + " at " + epsilon));
    }

    /** The report as a console table. */
    public String table() {
        Table t = new Table("attack", "epsilon (" + config.norm() + ")", "robust accuracy", "attack success",
                "mean ||delta||", "time");
        t.row("clean", "-", pct(cleanAccuracy), "-", "-", "-");
        for (Row r : rows) {
            t.row(r.attack(), fmt(r.epsilon()), pct(r.robustAccuracy()), pct(r.successRate()),
                    r.attack().equals(WORST_CASE) ? "-" : fmt(r.meanPerturbation()),
                    r.attack().equals(WORST_CASE) ? "-" : String.format(Locale.ROOT, "%.1fs", r.seconds()));
        }
        return t.toString();
    }

    /** The report as JSON. */
    public String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("dataset", dataset);
        m.put("samples", samples);
        m.put("norm", config.norm().name());
        m.put("cleanAccuracy", cleanAccuracy);
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
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
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("attacks", config.attacks().stream().map(Enum::name).toList());
        c.put("epsilons", config.epsilons());
        c.put("pgdSteps", config.pgdSteps());
        c.put("pgdRestarts", config.pgdRestarts());
        c.put("batchSize", config.batchSize());
        c.put("seed", config.seed());
        m.put("config", c);
        m.put("seconds", seconds);
        m.put("provenance", Json.of(provenance));
        return Json.write(m);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
