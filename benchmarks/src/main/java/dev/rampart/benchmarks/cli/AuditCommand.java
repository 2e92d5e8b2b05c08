package dev.rampart.benchmarks.cli;

import dev.rampart.benchmarks.audit.Audit;
import dev.rampart.benchmarks.audit.ChunkRunner;
import dev.rampart.benchmarks.audit.AuditConfig;
import dev.rampart.benchmarks.audit.AuditReport;
import dev.rampart.benchmarks.audit.Gates;
import dev.rampart.benchmarks.data.DataSource;
import dev.rampart.benchmarks.models.InputOptions;
import dev.rampart.benchmarks.models.ModelSource;
import dev.rampart.benchmarks.report.ConsoleReport;
import dev.rampart.benchmarks.report.HtmlReport;
import dev.rampart.benchmarks.report.JsonReport;
import dev.rampart.benchmarks.report.JunitReport;
import dev.rampart.benchmarks.report.Progress;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.norm.Norm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart audit}: robust accuracy of one or more models under a set of attacks and budgets,
 * side by side, as a console table and JSON, HTML and JUnit XML reports, with quality gates for
 * CI. Every option, path and file is checked before the first attack; each problem is one line and
 * the exit code is {@value Rampart#USAGE}. With no option it audits the two bundled CNNs on the
 * bundled Fashion-MNIST sample.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Robust accuracy of models under attack, side by side.",
            "With no option: both bundled CNNs, 1,000 bundled Fashion-MNIST test images, FGSM and PGD-20 at L-inf"
                + " 0.05, 0.1 and 0.2."})
public final class AuditCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--models", split = ",", paramLabel = "M", description = "models side by side: standard, robust"
            + " (the bundled CNNs), DL4J MultiLayerNetwork or ComputationGraph zips, Keras .h5 files"
            + " (default: standard,robust)")
    List<String> models;
    @Option(names = "--model", paramLabel = "M", description = "one model (same as --models M)")
    String model;
    @Option(names = "--data", paramLabel = "PATH", description = "test data: a directory of IDX files, CIFAR-10"
            + " batches, a CSV file or a folder of images per class (default: the bundled Fashion-MNIST sample)")
    Path data;
    @Option(names = "--data-format", paramLabel = "F", description = "auto, idx, cifar10, csv, images (default: auto)")
    String dataFormat = "auto";
    @Option(names = "--split", paramLabel = "train|test", description = "IDX and CIFAR-10 data: which split to attack"
            + " (default: test)")
    DataSource.Split split = DataSource.Split.TEST;
    @Option(names = "--samples", paramLabel = "N", description = "test examples to attack, the first ones (default: 1000)")
    int samples = 1000;
    @Option(names = "--epsilons", split = ",", paramLabel = "E", description = "budgets (default: 0.05,0.1,0.2)")
    double[] epsilons = {0.05, 0.1, 0.2};
    @Option(names = "--attacks", split = ",", paramLabel = "A", description = "fgsm, pgd, mifgsm, apgd-ce, apgd-t, cw"
            + " (L2), deepfool, square, autoattack (default: fgsm,pgd)")
    List<String> attacks = List.of("fgsm", "pgd");
    @Option(names = "--norm", paramLabel = "linf|l2", description = "threat model (default: linf)")
    String norm = "linf";
    @Option(names = "--steps", paramLabel = "N", description = "PGD steps (default: 20)")
    int steps = 20;
    @Option(names = "--restarts", paramLabel = "N", description = "PGD restarts (default: 1)")
    int restarts = 1;
    @Option(names = "--queries", paramLabel = "N", description = "Square's queries per example, alone and in"
            + " autoattack (default: 5000)")
    int queries = 5000;
    @Option(names = "--batch", paramLabel = "N", description = "examples per pass (default: 256)")
    int batch = 256;
    @Option(names = "--seed", paramLabel = "N", description = "seed of every random choice, an integer (default: 0)")
    long seed;
    @Option(names = "--input-shape", split = ",", paramLabel = "D", description = "shape of one example the models"
            + " take, such as 784 or 1,28,28 (default: the data's)")
    long[] inputShape;
    @Option(names = "--channels-last", description = "the models take [n, h, w, c] (Keras channels_last)")
    boolean channelsLast;
    @Option(names = "--domain", split = ",", paramLabel = "LO,HI", description = "the pixels' range, which attacks"
            + " clip to (default: 0,1)")
    double[] domain = {0, 1};
    @Option(names = "--mean", split = ",", paramLabel = "M", description = "per-channel means the models were trained"
            + " to subtract: attacks stay in pixel space, the models see (x - mean) / std")
    double[] mean;
    @Option(names = "--std", split = ",", paramLabel = "S", description = "per-channel standard deviations (with --mean)")
    double[] std;
    @Option(names = "--channels", paramLabel = "1|3", description = "image folders: grey or RGB (default: 1)")
    int channels = 1;
    @Option(names = "--label-column", paramLabel = "K", description = "CSV: the class column, negative from the end"
            + " (default: -1)")
    int labelColumn = -1;
    @Option(names = "--csv-header", description = "CSV: the first line is a header")
    boolean csvHeader;
    @Option(names = "--classes", paramLabel = "N", description = "CSV: number of classes (default: 10)")
    int classes = 10;
    @Option(names = "--spark", paramLabel = "MASTER", description = "run the attacks on Apache Spark: local[2],"
            + " spark://host:7077, yarn (needs the rampart-spark module; see README)")
    String sparkMaster;
    @Option(names = "--partitions", paramLabel = "N", description = "with --spark: partitions of the evaluation set"
            + " (default: one per batch)")
    int partitions;
    @Option(names = "--out", paramLabel = "FILE", description = "JSON report, or none (default: reports/audit.json)")
    String out = "reports/audit.json";
    @Option(names = "--html", paramLabel = "FILE", description = "self-contained HTML report with plots and a gallery")
    Path html;
    @Option(names = "--junit", paramLabel = "FILE", description = "JUnit XML report: a test case per model, attack"
            + " and budget")
    Path junit;
    @Option(names = "--gallery", paramLabel = "N", description = "adversarial examples per model in the HTML report"
            + " (default: 8)")
    int gallery = 8;
    @Option(names = "--require", paramLabel = "SPEC", description = "quality gate, repeatable:"
            + " [model:]attack@epsilon>=value, worst@epsilon>=value or clean>=value; exit 1 if one fails")
    List<String> require = new ArrayList<>();
    @Option(names = "--baseline", paramLabel = "FILE", description = "an earlier JSON report: exit 1 if a robust"
            + " accuracy dropped by more than --tolerance")
    Path baseline;
    @Option(names = "--tolerance", paramLabel = "T", description = "largest drop from --baseline, a share (default:"
            + " 0.01)")
    double tolerance = 0.01;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter outw = spec.commandLine().getOut();
        List<String> problems = new ArrayList<>();
        AuditConfig config = config(problems);
        List<Gates.Requirement> requirements = new ArrayList<>();
        for (String r : require) {
            try {
                Gates.Requirement q = Gates.parse(r);
                if (config != null) {
                    Gates.checkAgainst(q, config);
                }
                requirements.add(q);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            problems.add("--tolerance must be a share in [0, 1), found " + tolerance);
        }
        Gates.Baseline before = null;
        if (baseline != null) {
            try {
                before = JsonReport.readBaseline(baseline);
                if (config != null) {
                    before.comparable(config);
                }
            } catch (IOException | IllegalArgumentException e) {
                problems.add(e instanceof IOException ? "--baseline " + e.getMessage() : e.getMessage());
            }
        }
        Path json = out.equals("none") ? null : Path.of(out);
        OutputFiles files = new OutputFiles().output("--out", json).output("--html", html).output("--junit", junit)
                .input("--baseline", baseline).input("--data", data);
        if (config != null) {
            for (String m : config.models()) {
                if (m.isBlank()) {
                    continue; // named above
                }
                try {
                    ModelSource.check(m);
                    if (!ModelSource.bundled(m)) {
                        files.input("--models", Path.of(m));
                    }
                } catch (IOException e) {
                    problems.add("--models " + e.getMessage());
                }
            }
            try {
                DataSource.check(config.data());
            } catch (IOException e) {
                problems.add("--data " + e.getMessage());
            }
        }
        if (partitions < 0) {
            problems.add("--partitions must be positive, found " + partitions);
        }
        if (partitions > 0 && sparkMaster == null) {
            problems.add("--partitions needs --spark");
        }
        if (sparkMaster != null) {
            try {
                ChunkRunner.checkMaster(sparkMaster);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        files.check(problems);
        if (!problems.isEmpty()) {
            throw new UsageException(problems);
        }
        DataSource.Loaded loaded = Audit.loadData(config);
        List<ModelSource.Loaded> loadedModels = new ArrayList<>();
        for (String m : config.models()) {
            ModelSource.Loaded lm = ModelSource.load(m, config.input(), DataSource.exampleShape(loaded));
            try {
                INDArray one = firstExample(config, loaded, lm);
                lm.model().predictProbabilities(one);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + m + " does not take the data: " + e.getMessage(), e);
            }
            if (lm.model().numClasses() != loaded.classNames().size()) {
                throw new IllegalArgumentException("model " + m + " has " + lm.model().numClasses() + " classes but the"
                        + " data has " + loaded.classNames().size());
            }
            loadedModels.add(lm);
        }
        outw.println("Rampart robustness audit");
        for (ModelSource.Loaded m : loadedModels) {
            outw.println("model:   " + m.name() + " (" + m.description() + ")");
        }
        outw.println("data:    " + loaded.describe());
        outw.flush();
        boolean terminal = System.console() != null;
        Progress progress = new Progress(System.err, Audit.units(config), terminal);
        AuditReport report;
        if (sparkMaster == null) {
            report = Audit.run(config, loadedModels, loaded, progress);
        } else {
            List<Audit.Target> targets = new ArrayList<>();
            for (ModelSource.Loaded m : loadedModels) {
                targets.add(new Audit.Target(m.name(), m.description(), m.model(), ChunkRunner.ModelRef.of(m.name(),
                        config.input(), DataSource.exampleShape(loaded))));
            }
            try (ChunkRunner runner = ChunkRunner.distributed(sparkMaster, partitions)) {
                outw.println("spark:   " + runner.describe());
                outw.flush();
                report = Audit.run(config, targets, loaded, progress, runner);
            }
        }
        outw.println("backend: " + report.provenance().backend() + ", " + report.provenance().threads() + " threads");
        outw.println();
        outw.print(ConsoleReport.table(report));
        List<Gates.Check> checks = Gates.evaluate(report, requirements, before, tolerance);
        for (Gates.Check c : checks) {
            outw.println((c.passed() ? "gate passed: " : "GATE FAILED: ") + c.message());
        }
        outw.printf(Locale.ROOT, "%ntotal %.1f s%n", report.seconds());
        if (json != null) {
            write(json, JsonReport.write(report, checks));
            outw.println("JSON report:  " + json.toAbsolutePath());
        }
        if (html != null) {
            write(html, HtmlReport.write(report, checks));
            outw.println("HTML report:  " + html.toAbsolutePath());
        }
        if (junit != null) {
            write(junit, JunitReport.write(report, checks));
            outw.println("JUnit report: " + junit.toAbsolutePath());
        }
        outw.flush();
        return checks.stream().allMatch(Gates.Check::passed) ? Rampart.OK : Rampart.GATE_FAILED;
    }

    private static INDArray firstExample(AuditConfig config, DataSource.Loaded data, ModelSource.Loaded m) {
        INDArray x = data.data().features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        return Audit.modelInput(config, x, m.model());
    }

    /** The configuration, or {@code null} with its problems added. */
    private AuditConfig config(List<String> problems) {
        List<String> names = model != null ? List.of(model) : models != null ? models : List.of("standard", "robust");
        if (model != null && models != null) {
            problems.add("give --model or --models, not both");
        }
        List<AuditConfig.AttackKind> kinds = new ArrayList<>();
        for (String a : attacks) {
            try {
                kinds.add(AuditConfig.AttackKind.parse(a));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        Norm n = switch (norm.toLowerCase(Locale.ROOT)) {
            case "linf" -> Norm.LINF;
            case "l2" -> Norm.L2;
            default -> {
                problems.add("--norm must be linf or l2, found '" + norm + "'");
                yield Norm.LINF;
            }
        };
        InputOptions input = null;
        DataSource.Spec dataSpec = null;
        try {
            if (domain.length != 2) {
                throw new IllegalArgumentException("--domain takes two values LO,HI, found " + domain.length);
            }
            InputDomain d;
            try {
                d = new InputDomain(domain[0], domain[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--domain " + e.getMessage());
            }
            input = new InputOptions(inputShape, channelsLast, d, mean, std);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            dataSpec = new DataSource.Spec(data, dataFormat, channels, labelColumn, csvHeader, classes, split);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (names.stream().anyMatch(String::isBlank)) {
            problems.add("--models has an empty name (give standard, robust or model files, separated by commas)");
        }
        positive("--samples", samples, problems);
        positive("--steps", steps, problems);
        positive("--restarts", restarts, problems);
        positive("--queries", queries, problems);
        positive("--batch", batch, problems);
        if (gallery < 0) {
            problems.add("--gallery must not be negative, found " + gallery);
        }
        for (double e : epsilons) {
            if (!(e > 0) || !Double.isFinite(e)) {
                problems.add("--epsilons must be positive and finite, found " + e);
            }
        }
        if (kinds.contains(AuditConfig.AttackKind.CW) && n != Norm.L2) {
            problems.add("--attacks cw is an L2 attack: add --norm l2");
        }
        if (input == null || dataSpec == null || !problems.isEmpty()) {
            return null;
        }
        try {
            return new AuditConfig(names, input, dataSpec, samples, epsilons, kinds, n, steps, restarts, queries, batch,
                    seed, gallery);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private static void positive(String option, int value, List<String> problems) {
        if (value <= 0) {
            problems.add(option + " must be positive, found " + value);
        }
    }

    private static void write(Path file, String text) throws IOException {
        dev.rampart.core.io.AtomicFiles.writeString(file, text);
    }
}
