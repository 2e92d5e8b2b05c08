package dev.rampart.cli;

import dev.rampart.audit.Audit;
import dev.rampart.audit.ChunkRunner;
import dev.rampart.audit.AuditConfig;
import dev.rampart.audit.AuditReport;
import dev.rampart.audit.Gates;
import dev.rampart.audit.InvalidConfigException;
import dev.rampart.audit.ModelInput;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.audit.report.ConsoleReport;
import dev.rampart.audit.report.HtmlReport;
import dev.rampart.audit.report.JsonReport;
import dev.rampart.audit.report.JunitReport;
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
            + " (the bundled CNNs), DL4J MultiLayerNetwork or ComputationGraph zips, Keras .h5 files, ONNX files"
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
            + " (L2), deepfool, square, hsj (HopSkipJump) and boundary (label-only, L2), autoattack; and the certificates"
            + " ibp, crown-ibp, crown (verified accuracy beside the worst case) (default: fgsm,pgd)")
    List<AuditConfig.AttackKind> attacks = List.of(AuditConfig.AttackKind.FGSM, AuditConfig.AttackKind.PGD);
    @Option(names = "--norm", paramLabel = "linf|l2", description = "threat model (default: linf)")
    Norm norm = Norm.LINF;
    @Option(names = "--steps", paramLabel = "N", description = "PGD steps (default: 20)")
    int steps = 20;
    @Option(names = "--restarts", paramLabel = "N", description = "PGD restarts (default: 1)")
    int restarts = 1;
    @Option(names = "--queries", paramLabel = "N", description = "queries per example of square (alone and in"
            + " autoattack), hsj and boundary (default: 5000)")
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
                problems.add("--require " + e.getMessage());
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
            } catch (IOException e) {
                problems.add("--baseline " + e.getMessage());
            } catch (IllegalArgumentException e) {
                problems.add("--" + e.getMessage()); // "baseline FILE ..."
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
                problems.add(UsageException.dataProblem("--data", e, true));
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
        DataSource.Loaded loaded;
        try {
            loaded = Audit.loadData(config);
        } catch (InvalidConfigException e) {
            List<String> p = new ArrayList<>();
            addProblems(e, p);
            throw new UsageException(p);
        }
        List<ModelSource.Loaded> loadedModels = new ArrayList<>();
        for (String m : config.models()) {
            ModelSource.Loaded lm = ModelSource.load(m, config.input(), DataSource.exampleShape(loaded));
            List<String> needGradients = config.attacks().stream().filter(k -> !k.queryOnly())
                    .map(AuditConfig.AttackKind::option).toList();
            if (!lm.whiteBox() && !needGradients.isEmpty()) {
                throw new IllegalArgumentException("model " + m + " is " + lm.description() + ": attacks "
                        + needGradients + " need gradients; the black-box mode still applies with query-only attacks"
                        + " (--attacks square, or hsj and boundary with --norm l2)");
            }
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
                targets.add(new Audit.Target(m.name(), m.description(), m.model(), ShippedModel.of(m.name(),
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
        return ModelInput.of(config.input().channelsLast(), x, m.model());
    }

    /** Where each configuration field is set on the command line: the one mapping between the two. */
    static final Map<String, String> OPTIONS = Map.ofEntries(Map.entry("models", "--models"),
            Map.entry("samples", "--samples"), Map.entry("epsilons", "--epsilons"), Map.entry("attacks", "--attacks"),
            Map.entry("norm", "--norm"), Map.entry("pgdSteps", "--steps"), Map.entry("pgdRestarts", "--restarts"),
            Map.entry("squareQueries", "--queries"), Map.entry("batchSize", "--batch"), Map.entry("seed", "--seed"),
            Map.entry("gallery", "--gallery"), Map.entry("inputShape", "--input-shape"),
            Map.entry("channelsLast", "--channels-last"), Map.entry("domain", "--domain"), Map.entry("mean", "--mean"),
            Map.entry("std", "--std"), Map.entry("path", "--data"), Map.entry("format", "--data-format"),
            Map.entry("channels", "--channels"), Map.entry("labelColumn", "--label-column"),
            Map.entry("header", "--csv-header"), Map.entry("classes", "--classes"), Map.entry("split", "--split"));

    /** Each problem of {@code e} as a line naming its option. */
    static void addProblems(InvalidConfigException e, List<String> problems) {
        for (InvalidConfigException.Problem p : e.problems()) {
            problems.add(OPTIONS.getOrDefault(p.field(), p.field()) + " " + p.rule());
        }
    }

    /**
     * The configuration, or {@code null} with its problems added. The rules are the configuration
     * records' own: this only maps options to fields and the records' problems back to options.
     */
    private AuditConfig config(List<String> problems) {
        List<String> names = model != null ? List.of(model) : models != null ? models : List.of("standard", "robust");
        if (model != null && models != null) {
            problems.add("give --model or --models, not both");
        }
        int before = problems.size();
        InputDomain d = InputDomain.UNIT;
        if (domain.length != 2) {
            problems.add("--domain takes two values LO,HI, found " + domain.length);
        } else {
            try {
                d = new InputDomain(domain[0], domain[1]);
            } catch (IllegalArgumentException e) {
                problems.add("--domain " + e.getMessage());
            }
        }
        InputOptions input = InputOptions.DEFAULT;
        try {
            input = new InputOptions(inputShape, channelsLast, d, mean, std);
        } catch (InvalidConfigException e) {
            addProblems(e, problems);
        }
        DataSource.Spec dataSpec = DataSource.Spec.BUNDLED;
        try {
            dataSpec = new DataSource.Spec(data, dataFormat, channels, labelColumn, csvHeader, classes, split);
        } catch (InvalidConfigException e) {
            addProblems(e, problems);
        }
        try {
            AuditConfig c = new AuditConfig(names, input, dataSpec, samples, epsilons, attacks, norm, steps, restarts,
                    queries, batch, seed, gallery);
            return problems.size() == before ? c : null;
        } catch (InvalidConfigException e) {
            addProblems(e, problems);
            return null;
        }
    }

    private static void write(Path file, String text) throws IOException {
        dev.rampart.core.io.AtomicFiles.writeString(file, text);
    }
}
