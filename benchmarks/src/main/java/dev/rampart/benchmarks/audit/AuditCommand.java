package dev.rampart.benchmarks.audit;

import dev.rampart.benchmarks.cli.Options;
import dev.rampart.core.norm.Norm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Command line of the robustness audit, Rampart's main job. With no option it audits the bundled
 * reference CNN on the bundled Fashion-MNIST sample.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests compile exec:java -Dexec.args="--epsilons 0.03,0.1 --samples 500"
 * </pre>
 */
public final class AuditCommand {

    static final String USAGE = """
            Usage: audit [options]
              --models A,B,..    models side by side: standard, robust (the bundled CNNs) or DL4J
                                 MultiLayerNetwork zips taking [n,1,28,28] inputs in [0,1] (default standard,robust)
              --model FILE       one model (same as --models FILE)
              --data DIR         directory with Fashion-MNIST IDX files (default: bundled sample)
              --samples N        test images to attack (default 1000)
              --epsilons A,B,..  budgets (default 0.05,0.1,0.2)
              --attacks a,b      fgsm, pgd, mifgsm, apgd-ce, apgd-t, cw (L2), deepfool, square, autoattack
                                 (default fgsm,pgd)
              --norm linf|l2     threat model (default linf)
              --steps N          PGD steps (default 20)
              --restarts N       PGD restarts (default 1)
              --queries N        Square's queries per image, alone and in autoattack (default 5000)
              --batch N          examples per pass (default 256)
              --seed N           seed of every random choice (default 0)
              --out FILE         JSON report (default reports/audit.json; "none" for no file)
            """;

    private AuditCommand() {
    }

    public static void main(String[] args) throws Exception {
        AuditConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("audit: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.print(USAGE);
            return;
        }
        System.out.println("Rampart robustness audit: " + config);
        AuditReport report = Audit.run(config, System.console() != null ? System.err : null);
        for (AuditReport.ModelResult m : report.models()) {
            System.out.println("model:   " + m.model());
        }
        System.out.println("data:    " + report.dataset() + " (" + report.samples() + " images)");
        System.out.println("backend: " + report.provenance().backend() + ", " + report.provenance().threads()
                + " threads");
        System.out.println();
        System.out.print(report.table());
        System.out.printf(Locale.ROOT, "%ntotal %.1f s%n", report.seconds());
        if (config.output() != null) {
            System.out.println("report written to " + config.output().toAbsolutePath());
        }
    }

    /** Parses options over the defaults; {@code null} means help was asked for. */
    static AuditConfig parse(String[] args) {
        AuditConfig d = AuditConfig.defaults();
        List<String> models = d.models();
        Path data = d.dataDir();
        int samples = d.samples();
        double[] eps = d.epsilons();
        List<AuditConfig.AttackKind> attacks = d.attacks();
        Norm norm = d.norm();
        int steps = d.pgdSteps();
        int restarts = d.pgdRestarts();
        int queries = d.squareQueries();
        int batch = d.batchSize();
        long seed = d.seed();
        Path out = d.output();
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (opt.equals("--help") || opt.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + opt + " needs a value");
            }
            String v = args[++i];
            switch (opt) {
                case "--model" -> models = List.of(v);
                case "--models" -> models = Arrays.stream(v.split(",")).map(String::trim).toList();
                case "--data" -> data = Path.of(v);
                case "--samples" -> samples = Options.integer(opt, v);
                case "--epsilons" -> eps = Arrays.stream(v.split(",")).mapToDouble(s -> Options.number(opt, s)).toArray();
                case "--attacks" -> {
                    attacks = new ArrayList<>();
                    for (String a : v.split(",")) {
                        attacks.add(AuditConfig.AttackKind.parse(a));
                    }
                }
                case "--norm" -> norm = switch (v.toLowerCase(Locale.ROOT)) {
                    case "linf" -> Norm.LINF;
                    case "l2" -> Norm.L2;
                    default -> throw new IllegalArgumentException("--norm must be linf or l2, found '" + v + "'");
                };
                case "--steps" -> steps = Options.integer(opt, v);
                case "--restarts" -> restarts = Options.integer(opt, v);
                case "--queries" -> queries = Options.integer(opt, v);
                case "--batch" -> batch = Options.integer(opt, v);
                case "--seed" -> seed = (long) Options.number(opt, v);
                case "--out" -> out = v.equals("none") ? null : Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + opt);
            }
        }
        return new AuditConfig(models, data, samples, eps, attacks, norm, steps, restarts, queries, batch, seed, out);
    }
}
