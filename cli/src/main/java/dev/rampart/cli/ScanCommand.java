package dev.rampart.cli;

import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.defenses.poisoning.ActivationClustering;
import dev.rampart.defenses.poisoning.KnnLabelNoise;
import dev.rampart.defenses.poisoning.PoisonDetector;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.Spectre;
import dev.rampart.defenses.poisoning.SpectralSignatures;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart scan}: looks for poisoned examples in a training set with a model trained on it,
 * prints what each class looks like and how many examples are flagged, and can write the flagged
 * indices (one per line) for {@code FilteringIterator} or a review. With {@code --fail-on-flag} it
 * exits with 1 when anything is flagged.
 *
 * <pre>
 * ./rampart scan --model model.zip --data train-dir --method activation-clustering --flagged flagged.txt
 * ./rampart scan --model model.zip --data train-dir --method spectral-signatures --expected-poison-rate 0.1
 * </pre>
 */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false, description = {"Scan a training set"
        + " for poisoned examples with a model trained on it.", "Methods: activation-clustering (Chen et al. 2019),"
            + " spectral-signatures (Tran et al. 2018), knn (label noise, Paudice et al. 2018), spectre (Hayase et al."
            + " 2021)."})
public final class ScanCommand implements Callable<Integer> {

    /** The detectors the scan runs. */
    enum Method { ACTIVATION_CLUSTERING, SPECTRAL_SIGNATURES, KNN, SPECTRE }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", required = true, description = "the model trained on the data (DL4J zip, Keras h5,"
            + " standard or robust)")
    String model;
    @Option(names = "--data", description = "the training set (default: the bundled training sample)")
    Path data;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
    String format = "auto";
    @Option(names = "--split", paramLabel = "train|test", description = "IDX and CIFAR-10 data: which split to scan"
            + " (default: train, the training set)")
    DataSource.Split split = DataSource.Split.TRAIN;
    @Option(names = "--method", description = "one of " + "activation-clustering, spectral-signatures, knn, spectre"
            + " (default ${DEFAULT-VALUE})")
    Method method = Method.ACTIVATION_CLUSTERING;
    @Option(names = "--expected-poison-rate", description = "spectral signatures: the poison share of the attacked"
            + " class (default ${DEFAULT-VALUE})")
    double rate = 0.1;
    @Option(names = "--reference", paramLabel = "PATH", description = "spectre: trusted clean images (same format,"
            + " the test split of IDX and CIFAR-10 folders), at least " + Spectre.MIN_REFERENCE_PER_CLASS + " of every"
            + " class; each class is judged against them instead of against the other classes")
    Path reference;
    @Option(names = "--flagged", description = "write the flagged example indices to this file")
    Path flagged;
    @Option(names = "--out", description = "write the report as JSON: detector, configuration, seed, per-class"
            + " verdicts and figures, flagged indices, provenance")
    Path json;
    @Option(names = "--fail-on-flag", description = "exit with 1 when any example is flagged")
    boolean failOnFlag;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed = 1;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        UsageException.share(p, "--expected-poison-rate", rate);
        DataSource.Spec s = null;
        try {
            s = new DataSource.Spec(data, format, 1, -1, false, 10, split);
            DataSource.check(s);
        } catch (IllegalArgumentException | java.io.IOException e) {
            p.add(UsageException.dataProblem("--data", e, true));
        }
        DataSource.Spec referenceSpec = null;
        if (reference != null) {
            if (method != Method.SPECTRE) {
                p.add("--reference works with --method spectre, not " + OptionEnums.spelling(method));
            } else {
                referenceSpec = PoisoningOptions.spec(reference, format, DataSource.Split.TEST, "--reference", p);
            }
        }
        OutputFiles outputs = new OutputFiles().output("--flagged", flagged).output("--out", json).input("--data",
                data).input("--reference", reference);
        outputs.model("--model", model, p).checkAll(p);
        DataSource.Loaded loaded = DataSource.load(s, -1);
        LabeledData d = loaded.data();
        ModelSource.Loaded m = ModelSource.load(model, InputOptions.DEFAULT, d.exampleShape());
        if (!(m.model() instanceof ActivationModel am)) {
            throw new UsageException(List.of("--model " + model + ": its activations cannot be read"));
        }
        if (am.numClasses() != d.numClasses()) {
            throw new UsageException(List.of("--model " + model + " has " + am.numClasses() + " classes but --data "
                    + loaded.source() + " has " + d.numClasses()));
        }
        PoisonDetector detector = switch (method) {
            case ACTIVATION_CLUSTERING -> ActivationClustering.builder(am).seed(seed).build();
            case SPECTRAL_SIGNATURES -> SpectralSignatures.builder(am).expectedPoisonRate(rate).build();
            case KNN -> KnnLabelNoise.builder(am).build();
            case SPECTRE -> referenceSpec == null ? Spectre.builder(am).build() : Spectre.builder(am).reference(
                    trusted(referenceSpec, d)).build();
        };
        List<String> small = tooSmall(d, detector.minimumPerClass(), loaded.classNames());
        if (!small.isEmpty()) {
            throw new UsageException(List.of("--data " + loaded.source() + " is too small for "
                    + OptionEnums.spelling(method) + ", which"
                    + " needs at least " + detector.minimumPerClass() + " examples of every class: " + String.join(", ",
                            small)));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("data: " + loaded.describe());
        out.flush();
        PoisonReport r = detector.detect(d);
        out.println(r.detector() + " (" + dev.rampart.audit.report.Records.toMap((Record) r.config()) + ") on "
                + d.size() + " examples of " + d.name());
        for (PoisonReport.ClassSummary c : r.classes()) {
            out.printf(java.util.Locale.ROOT, "class %d: %d examples, %d flagged%s%s%n", c.label(), c.examples(),
                    c.flagged(), c.detail().isEmpty() ? "" : "; " + c.detail(), c.suspicious() ? "  SUSPICIOUS" : "");
        }
        out.println(r.flaggedCount() + " examples flagged");
        if (flagged != null) {
            StringBuilder b = new StringBuilder();
            boolean[] f = r.flagged();
            for (int i = 0; i < f.length; i++) {
                if (f[i]) {
                    b.append(i).append('\n');
                }
            }
            dev.rampart.core.io.AtomicFiles.writeString(flagged, b.toString());
        }
        if (json != null) {
            dev.rampart.core.io.AtomicFiles.writeString(json, dev.rampart.audit.report.PoisonReportJson.write(r,
                    loaded.describe()));
            out.println("JSON report: " + json.toAbsolutePath());
        }
        out.flush();
        return failOnFlag && r.flaggedCount() > 0 ? Rampart.GATE_FAILED : Rampart.OK;
    }

    /** The classes with fewer than {@code minimum} examples, as "class NAME: N examples". */
    private static List<String> tooSmall(LabeledData d, int minimum, List<String> names) {
        int[] counts = PoisoningOptions.counts(d);
        List<String> out = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < minimum) {
                out.add("class " + (c < names.size() ? names.get(c) : String.valueOf(c)) + " has " + counts[c]);
            }
        }
        return out;
    }

    /** The trusted reference, checked against the data; a class with too few images is a usage error. */
    private static LabeledData trusted(DataSource.Spec spec, LabeledData d) throws java.io.IOException {
        DataSource.Loaded r = DataSource.load(spec, -1);
        PoisoningOptions.checkAgainst(r.data(), d, r.source(), "--reference");
        List<String> small = tooSmall(r.data(), Spectre.MIN_REFERENCE_PER_CLASS, r.classNames());
        if (!small.isEmpty()) {
            throw new UsageException(List.of("--reference " + r.source() + " has too few images to judge a class"
                    + " against, at least " + Spectre.MIN_REFERENCE_PER_CLASS + " of every class are needed: "
                    + String.join(", ", small)));
        }
        return r.data();
    }
}
