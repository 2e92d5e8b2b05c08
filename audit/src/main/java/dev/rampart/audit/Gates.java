package dev.rampart.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quality gates for CI: thresholds on an audit's robust accuracies ({@code --require}) and a
 * comparison with an earlier report ({@code --baseline}, {@code --tolerance}). A threshold is
 * {@code [model:]attack@epsilon>=value}, {@code [model:]worst@epsilon>=value} (the per-example
 * worst case over all attacks) or {@code [model:]clean>=value}; the value is a share (0.7) or a
 * percentage (70%); without a model it applies to every model.
 *
 * <pre>{@code
 * Gates.Requirement r = Gates.parse("robust:pgd@0.1>=0.70");
 * List<Gates.Check> checks = Gates.evaluate(report, List.of(r), JsonReport.readBaseline(previous), 0.01);
 * }</pre>
 */
public final class Gates {

    private static final Pattern SPEC = Pattern.compile(
            "^(?:([^:@<>=]+):)?([a-z0-9-]+)(?:@([0-9.eE+-]+))?\\s*(>=|>)\\s*([0-9.eE+-]+)(%?)$");

    private Gates() {
    }

    /**
     * One threshold.
     *
     * @param spec the text as given
     * @param model the model it applies to, or {@code null} for all
     * @param target an attack option, {@code worst} or {@code clean}
     * @param epsilon the budget ({@code NaN} for {@code clean})
     * @param strict {@code >} rather than {@code >=}
     * @param value the threshold, a share in [0, 1]
     */
    public record Requirement(String spec, String model, String target, double epsilon, boolean strict, double value) {
    }

    /**
     * An earlier report's robust accuracies, to compare a run with ({@code --baseline}).
     *
     * @param file where it was read from
     * @param norm the threat model it was measured in
     * @param attacks its attack options, in order (the worst case is over these)
     * @param rows robust accuracy by {@link #key}
     */
    public record Baseline(java.nio.file.Path file, dev.rampart.core.norm.Norm norm, List<String> attacks,
            Map<String, Double> rows) {

        public Baseline {
            attacks = List.copyOf(attacks);
            rows = Map.copyOf(rows);
        }

        /**
         * The rows a run of {@code config} will compare: the same model, attack and budget, and for
         * the worst case only when the two runs have the same attacks (otherwise the worst cases
         * are over different sets).
         *
         * @throws IllegalArgumentException naming the baseline: measured in another norm, or no row
         *     in common with the run
         */
        public java.util.Set<String> comparable(AuditConfig config) {
            if (norm != config.norm()) {
                throw new IllegalArgumentException("baseline " + file + " was measured in " + norm + " and this run"
                        + " in " + config.norm() + ": robust accuracies of different threat models do not compare");
            }
            boolean sameAttacks = attacks.equals(config.attacks().stream().map(AuditConfig.AttackKind::option).toList());
            java.util.Set<String> out = new java.util.LinkedHashSet<>();
            for (String m : config.models()) {
                for (double e : config.epsilons()) {
                    for (AuditConfig.AttackKind k : config.attacks()) {
                        String key = key(m, k.option(), e);
                        if (rows.containsKey(key)) {
                            out.add(key);
                        }
                    }
                    String worst = key(m, AuditReport.WORST_CASE, e);
                    if (sameAttacks && rows.containsKey(worst)) {
                        out.add(worst);
                    }
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("baseline " + file + " has no result for this run's models "
                        + config.models() + ", attacks " + config.attacks().stream().map(AuditConfig.AttackKind::option)
                        .toList() + " and epsilons " + java.util.Arrays.toString(config.epsilons())
                        + ": nothing would be compared");
            }
            return out;
        }
    }

    /**
     * The outcome of one gate on one model.
     *
     * @param model the model
     * @param option the row's attack option ({@code clean} for clean accuracy)
     * @param epsilon the budget ({@code NaN} for clean)
     * @param passed whether the gate holds
     * @param message what was checked, with the figures
     */
    public record Check(String model, String option, double epsilon, boolean passed, String message) {
    }

    /**
     * @throws IllegalArgumentException naming {@code --require} and the text, if it does not parse
     */
    public static Requirement parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        Matcher m = SPEC.matcher(s.replace(" ", ""));
        if (!m.matches()) {
            throw new IllegalArgumentException("requirement '" + spec + "' is not [model:]attack@epsilon>=value,"
                    + " worst@epsilon>=value or clean>=value (for example pgd@0.1>=0.70)");
        }
        String target = m.group(2);
        boolean clean = target.equals("clean");
        if (clean != (m.group(3) == null)) {
            throw new IllegalArgumentException("requirement '" + spec + "': " + (clean ? "clean accuracy takes no @epsilon"
                    : "an attack needs @epsilon"));
        }
        if (!clean && !target.equals(AuditReport.WORST_CASE)) {
            AuditConfig.AttackKind.parse(target); // names the unknown attack
        }
        double eps = clean ? Double.NaN : number(spec, m.group(3));
        double value = number(spec, m.group(5)) / (m.group(6).isEmpty() ? 1 : 100);
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("requirement '" + spec + "': the threshold must be a share in [0, 1] or a"
                    + " percentage, found " + m.group(5) + m.group(6));
        }
        return new Requirement(spec, m.group(1) == null ? null : spec.trim().substring(0, spec.trim().indexOf(':')),
                target, eps, m.group(4).equals(">"), value);
    }

    private static double number(String spec, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("requirement '" + spec + "': '" + text + "' is not a number");
        }
    }

    /**
     * Checks that every requirement names a configured model, attack and budget.
     *
     * @throws IllegalArgumentException naming the requirement and what it refers to
     */
    public static void checkAgainst(Requirement r, AuditConfig config) {
        if (r.model() != null && !config.models().contains(r.model())) {
            throw new IllegalArgumentException("requirement '" + r.spec() + "': model '" + r.model() + "' is not one of "
                    + config.models());
        }
        if (!r.target().equals("clean") && !r.target().equals(AuditReport.WORST_CASE)
                && !config.attacks().contains(AuditConfig.AttackKind.parse(r.target()))) {
            throw new IllegalArgumentException("requirement '" + r.spec() + "': attack " + r.target()
                    + " is not one of the audit's attacks");
        }
        if (!Double.isNaN(r.epsilon()) && java.util.Arrays.stream(config.epsilons()).noneMatch(e -> e == r.epsilon())) {
            throw new IllegalArgumentException("requirement '" + r.spec() + "': epsilon " + Numbers.epsilon(
                    r.epsilon()) + " is not one of the audit's epsilons");
        }
    }

    /**
     * Every requirement on every model it applies to, then (with a baseline) every row whose
     * robust accuracy dropped by more than {@code tolerance} from the baseline's same model, attack
     * and budget.
     *
     * @param baseline an earlier report, or {@code null}
     * @throws IllegalArgumentException if the baseline does not fit the run (see
     *     {@link Baseline#comparable})
     */
    public static List<Check> evaluate(AuditReport report, List<Requirement> requirements,
            Baseline baseline, double tolerance) {
        java.util.Set<String> comparable = baseline == null ? java.util.Set.of() : baseline.comparable(report.config());
        List<Check> out = new ArrayList<>();
        for (AuditReport.ModelResult m : report.models()) {
            for (Requirement r : requirements) {
                if (r.model() != null && !r.model().equals(m.name())) {
                    continue;
                }
                double value = r.target().equals("clean") ? m.cleanAccuracy()
                        : m.row(r.target(), r.epsilon()).robustAccuracy();
                boolean passed = r.strict() ? value > r.value() : value >= r.value();
                String what = r.target().equals("clean") ? "clean accuracy" : r.target() + " at "
                        + Numbers.epsilon(r.epsilon());
                out.add(new Check(m.name(), r.target(), r.epsilon(), passed, String.format(Locale.ROOT,
                        "%s: %s is %s, required %s %s", m.name(), what, Numbers.percent(value),
                        r.strict() ? ">" : ">=", Numbers.percent(r.value()))));
            }
            if (baseline != null) {
                for (AuditReport.Row row : m.rows()) {
                    String key = key(m.name(), row.option(), row.epsilon());
                    if (!comparable.contains(key)) {
                        continue;
                    }
                    double before = baseline.rows().get(key);
                    double drop = before - row.robustAccuracy();
                    boolean passed = drop <= tolerance + 1e-12;
                    out.add(new Check(m.name(), row.option(), row.epsilon(), passed, String.format(Locale.ROOT,
                            "%s: %s at %s is %s, baseline %s (%s %.1f points; tolerance %.1f)", m.name(), row.option(),
                            Numbers.epsilon(row.epsilon()), Numbers.percent(row.robustAccuracy()),
                            Numbers.percent(before), drop > 0 ? "down" : "up", 100 * Math.abs(drop),
                            100 * tolerance)));
                }
            }
        }
        return out;
    }

    /** The key of a row in a baseline: model, attack option and budget. */
    public static String key(String model, String option, double epsilon) {
        return model + "|" + option + "|" + Numbers.epsilon(epsilon);
    }
}
