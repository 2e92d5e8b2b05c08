package dev.rampart.cli;

import dev.rampart.audit.report.BackdoorReports;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.report.Images;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.detection.Strip;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart vet}: judges whether a third-party model carries a backdoor, with nothing but a
 * small clean sample. Neural Cleanse (Wang et al. 2019) reverses, for every class, the smallest
 * trigger that sends clean images to it; a class whose trigger is far smaller than the others'
 * (anomaly index above the threshold) is a candidate. STRIP (Gao et al. 2019) is calibrated on half
 * the sample and measured on the other half, clean and stamped with each candidate's reversed
 * trigger; a candidate is a backdoor target when STRIP flags the stamped images clearly more often
 * than the clean ones (a two-proportion test, 3 standard errors), which also says how well the
 * run-time guard would catch the backdoor. With {@code --fail-on-backdoor} a
 * backdoored model exits with 1, a gate for a model registry.
 *
 * <pre>
 * ./rampart vet --model vendor.zip --data clean-sample/ --triggers triggers/ --out vet.json --fail-on-backdoor
 * </pre>
 */
@Command(name = "vet", mixinStandardHelpOptions = true, sortOptions = false, description = {"Judge whether a"
        + " model carries a backdoor: Neural Cleanse's anomaly index per class, the reversed triggers, STRIP"
        + " calibrated on a clean sample, and a verdict."})
public final class VetCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", required = true, description = "the model to vet (DL4J zip, Keras h5, standard or"
            + " robust)")
    String model;
    @Option(names = "--data", paramLabel = "PATH", description = "trusted clean images of every class (default: the"
            + " bundled test sample)")
    Path data;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
    String format = "auto";
    @Option(names = "--limit", paramLabel = "N", description = "read at most N examples (default: all)")
    int limit = -1;
    @Option(names = "--steps", paramLabel = "N", description = "Neural Cleanse's steps per class (default"
            + " ${DEFAULT-VALUE})")
    int steps = 300;
    @Option(names = "--anomaly-threshold", paramLabel = "T", description = "anomaly index above which a class is a"
            + " candidate target (default ${DEFAULT-VALUE}, Wang et al. 2019)")
    double threshold = 2;
    @Option(names = "--strip-fpr", paramLabel = "R", description = "STRIP's false-positive rate on clean inputs"
            + " (default ${DEFAULT-VALUE})")
    double stripFpr = 0.01;
    @Option(names = "--triggers", paramLabel = "DIR", description = "write every class's reversed mask and trigger"
            + " as PNG images")
    Path triggers;
    @Option(names = "--out", paramLabel = "FILE", description = "write the report as JSON")
    Path json;
    @Option(names = "--html", paramLabel = "FILE", description = "write the report as HTML")
    Path html;
    @Option(names = "--fail-on-backdoor", description = "exit with 1 when a backdoor is found")
    boolean failOnBackdoor;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed = 1;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        UsageException.positive(p, "--steps", steps);
        UsageException.positive(p, "--anomaly-threshold", threshold);
        UsageException.share(p, "--strip-fpr", stripFpr);
        if (limit == 0 || limit < -1) {
            p.add("--limit must be positive, found " + limit);
        }
        if (triggers != null && Files.exists(triggers) && !Files.isDirectory(triggers)) {
            p.add("--triggers " + triggers + " is a file, not a directory");
        }
        DataSource.Spec s = PoisoningOptions.spec(data, format, DataSource.Split.TEST, "--data", p);
        OutputFiles outputs = new OutputFiles().output("--out", json).output("--html", html).input("--data", data);
        outputs.model("--model", model, p).checkAll(p);
        DataSource.Loaded loaded = DataSource.load(s, limit);
        LabeledData d = loaded.data();
        PoisoningOptions.checkEveryClass(d, loaded, "--data");
        if (d.size() < 40) {
            throw new UsageException(List.of("--data " + loaded.source() + " has " + d.size() + " examples; vetting"
                    + " needs at least 40 (half calibrate STRIP, half measure it)"));
        }
        GradientClassifier m = ModelSource.load(model, InputOptions.DEFAULT, d.exampleShape()).gradientModel();
        if (m.numClasses() != d.numClasses()) {
            throw new UsageException(List.of("--model " + model + " has " + m.numClasses() + " classes but --data "
                    + loaded.source() + " has " + d.numClasses()));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println("data: " + loaded.describe());
        w.printf(Locale.ROOT, "Neural Cleanse: %d steps per class, %d classes%n", steps, d.numClasses());
        w.flush();
        NeuralCleanse.Report scan = NeuralCleanse.builder(m).steps(steps).anomalyThreshold(threshold).seed(seed)
                .build().scan(d);
        for (NeuralCleanse.Trigger t : scan.triggers()) {
            boolean target = java.util.Arrays.stream(scan.flagged()).anyMatch(c -> c == t.label());
            w.printf(Locale.ROOT, "class %s: anomaly index %.2f, mask L1 %.1f, reversed trigger success %.3f%s%n",
                    PoisoningOptions.name(loaded.classNames(), t.label()), scan.anomalyIndex()[t.label()], t.maskL1(),
                    t.attackSuccess(), target ? "  CANDIDATE" : "");
        }
        int half = d.size() / 2;
        LabeledData calibration = d.slice(0, half);
        LabeledData held = d.slice(half, d.size());
        Strip strip = Strip.builder(m).overlays(calibration.features()).samples(Math.min(100, half))
                .falsePositiveRate(stripFpr).seed(seed).fit(calibration.features());
        double cleanFlagged = share(strip.flag(held.features()));
        double[] triggeredFlagged = new double[scan.flagged().length];
        for (int i = 0; i < scan.flagged().length; i++) {
            int c = scan.flagged()[i];
            NeuralCleanse.Report one = new NeuralCleanse.Report(scan.triggers(), scan.anomalyIndex(), new int[] {c},
                    scan.config(), scan.provenance());
            triggeredFlagged[i] = share(strip.flag(PoisoningOptions.triggered(one, held).features()));
        }
        w.printf(Locale.ROOT, "STRIP (calibrated on %d clean images at %.1f%% false positives): flags %.1f%% of %d"
                + " held-out clean images%n", half, 100 * stripFpr, 100 * cleanFlagged, held.size());
        for (int i = 0; i < scan.flagged().length; i++) {
            w.printf(Locale.ROOT, "  and %.1f%% of them stamped with class %s's reversed trigger%n",
                    100 * triggeredFlagged[i], PoisoningOptions.name(loaded.classNames(), scan.flagged()[i]));
        }
        BackdoorReports.Vetted v = new BackdoorReports.Vetted(model, loaded.describe(), loaded.classNames(), scan,
                strip.threshold(), cleanFlagged, triggeredFlagged, held.size(), Provenance.current());
        w.println("verdict: " + v.verdict());
        if (triggers != null) {
            Files.createDirectories(triggers);
            for (NeuralCleanse.Trigger t : scan.triggers()) {
                INDArray mask = t.mask();
                INDArray shown = t.pattern().mul(t.pattern().size(0) == 1 ? mask.castTo(t.pattern().dataType())
                        : mask.castTo(t.pattern().dataType()).repeat(0, t.pattern().size(0)));
                Images.writePng(mask, 0, 1, triggers.resolve("class-" + t.label() + "-mask.png"));
                Images.writePng(shown, m.domain().min(), m.domain().max(), triggers.resolve("class-" + t.label()
                        + "-trigger.png"));
            }
            w.println("reversed triggers: " + triggers.toAbsolutePath());
        }
        if (json != null) {
            AtomicFiles.writeString(json, BackdoorReports.json(v));
            w.println("JSON report: " + json.toAbsolutePath());
        }
        if (html != null) {
            AtomicFiles.writeString(html, BackdoorReports.html(v));
            w.println("HTML report: " + html.toAbsolutePath());
        }
        w.flush();
        return failOnBackdoor && v.backdoored() ? Rampart.GATE_FAILED : Rampart.OK;
    }

    private static double share(boolean[] f) {
        int n = 0;
        for (boolean b : f) {
            n += b ? 1 : 0;
        }
        return f.length == 0 ? Double.NaN : (double) n / f.length;
    }
}
