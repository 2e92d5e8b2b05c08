package dev.rampart.cli;

import dev.rampart.audit.report.CertificationReports;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.certification.RandomizedSmoothing;
import dev.rampart.defenses.certification.SmoothingCertificates;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart certify}: a guarantee instead of an attack. With {@code --method smoothing}
 * (Cohen, Rosenfeld &amp; Kolter 2019) every test example gets the L2 radius within which no
 * perturbation changes the Gaussian-smoothed model's class, each certificate wrong with
 * probability at most {@code --alpha}; the report is the certified accuracy against the radius,
 * and {@code --require "smoothing@0.5>=0.6"} makes it a gate (exit 1 when missed). The model should
 * be trained with Gaussian noise of the same sigma ({@code rampart train --method gaussian
 * --epsilon 0.25}).
 *
 * <pre>
 * ./rampart certify --model smooth.zip --sigma 0.25 --n 100000 --samples 500 --out certify.json \
 *     --html certify.html --junit certify.xml --require "smoothing@0.5>=0.6"
 * </pre>
 */
@Command(name = "certify", mixinStandardHelpOptions = true, sortOptions = false, description = {"Certify"
        + " predictions: randomized smoothing's L2 radius per example, the certified accuracy against the radius,"
        + " and gates on it."})
public final class CertifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", required = true, description = "the model (DL4J zip, Keras h5, ONNX, standard or"
            + " robust)")
    String model;
    @Option(names = "--method", description = "smoothing (default ${DEFAULT-VALUE})")
    String method = "smoothing";
    @Option(names = "--data", paramLabel = "PATH", description = "test data (default: the bundled test sample)")
    Path data;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
    String format = "auto";
    @Option(names = "--samples", paramLabel = "N", description = "certify the first N examples (default"
            + " ${DEFAULT-VALUE})")
    int samples = 100;
    @Option(names = "--sigma", paramLabel = "S", description = "the noise's standard deviation (default"
            + " ${DEFAULT-VALUE})")
    double sigma = 0.25;
    @Option(names = "--n0", paramLabel = "N", description = "noisy copies that choose the class (default"
            + " ${DEFAULT-VALUE})")
    int n0 = 100;
    @Option(names = "--n", paramLabel = "N", description = "noisy copies that estimate its probability (default"
            + " ${DEFAULT-VALUE}; the paper uses 100000)")
    int n = 10_000;
    @Option(names = "--alpha", paramLabel = "A", description = "probability that a certificate is wrong (default"
            + " ${DEFAULT-VALUE})")
    double alpha = 0.001;
    @Option(names = "--batch", paramLabel = "N", description = "noisy copies per forward pass (default"
            + " ${DEFAULT-VALUE})")
    int batch = 1000;
    @Option(names = "--radii", split = ",", paramLabel = "R", description = "L2 radii of the curve (default"
            + " 0,0.25,0.5,0.75,1,1.25,1.5,1.75,2)")
    List<Double> radii = List.of(0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0);
    @Option(names = "--require", paramLabel = "GATE", description = "smoothing@RADIUS>=SHARE: fail (exit 1) when the"
            + " certified accuracy at that radius is lower (repeatable)")
    List<String> require = new ArrayList<>();
    @Option(names = "--out", paramLabel = "FILE", description = "write the report as JSON")
    Path json;
    @Option(names = "--html", paramLabel = "FILE", description = "write the report as HTML")
    Path html;
    @Option(names = "--junit", paramLabel = "FILE", description = "write the gates as JUnit XML")
    Path junit;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        if (!method.equals("smoothing")) {
            p.add("--method must be smoothing (bound propagation and partition aggregation are not built yet), found "
                    + method);
        }
        if (samples <= 0) {
            p.add("--samples must be positive, found " + samples);
        }
        RandomizedSmoothing.Config config = null;
        try {
            config = new RandomizedSmoothing.Config(sigma, n0, n, alpha, batch, seed);
        } catch (IllegalArgumentException e) {
            p.add("--" + e.getMessage().replaceFirst("^batchSize", "batch"));
        }
        for (double r : radii) {
            if (!(r >= 0) || !Double.isFinite(r)) {
                p.add("--radii must be finite and >= 0, found " + r);
            }
        }
        List<CertificationReports.Requirement> gates = new ArrayList<>();
        for (String g : require) {
            try {
                gates.add(CertificationReports.parse(g));
            } catch (IllegalArgumentException e) {
                p.add(e.getMessage());
            }
        }
        DataSource.Spec s = PoisoningOptions.spec(data, format, DataSource.Split.TEST, "--data", p);
        OutputFiles outputs = new OutputFiles().output("--out", json).output("--html", html).output("--junit", junit)
                .input("--data", data);
        outputs.model("--model", model, p).checkAll(p);
        DataSource.Loaded loaded = DataSource.load(s, samples);
        LabeledData d = loaded.data();
        Classifier m = ModelSource.load(model, InputOptions.DEFAULT, d.exampleShape()).model();
        if (m.numClasses() != d.numClasses()) {
            throw new UsageException(List.of("--model " + model + " has " + m.numClasses() + " classes but --data "
                    + loaded.source() + " has " + d.numClasses()));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println("data: " + loaded.describe());
        w.printf(Locale.ROOT, "randomized smoothing: sigma %s, n0 %d, n %d, alpha %s on %d examples%n", sigma, n0, n,
                alpha, d.size());
        w.flush();
        SmoothingCertificates c = RandomizedSmoothing.builder(m).sigma(sigma).n0(n0).n(n).alpha(alpha).batchSize(batch)
                .seed(seed).build().certify(d);
        double[] r = radii.stream().mapToDouble(Double::doubleValue).toArray();
        for (double radius : r) {
            w.printf(Locale.ROOT, "certified accuracy at L2 radius %-5s %6.1f%%%n", radius,
                    100 * c.certifiedAccuracy(radius));
        }
        w.printf(Locale.ROOT, "abstained %.1f%%, median radius of the correct %.3f, %.1f s (%.2f s per example)%n",
                100 * c.abstained(), c.medianCorrectRadius(), c.seconds(), c.seconds() / c.size());
        CertificationReports.Certified report = new CertificationReports.Certified(model, loaded.describe(), c, r,
                gates, Provenance.current());
        for (CertificationReports.Requirement g : gates) {
            double a = c.certifiedAccuracy(g.radius());
            w.printf(Locale.ROOT, "%s: %.1f%% %s%n", g.spec(), 100 * a, g.met(a) ? "passed" : "FAILED");
        }
        if (json != null) {
            AtomicFiles.writeString(json, CertificationReports.json(report));
            w.println("JSON report: " + json.toAbsolutePath());
        }
        if (html != null) {
            AtomicFiles.writeString(html, CertificationReports.html(report));
            w.println("HTML report: " + html.toAbsolutePath());
        }
        if (junit != null) {
            AtomicFiles.writeString(junit, CertificationReports.junit(report));
            w.println("JUnit report: " + junit.toAbsolutePath());
        }
        w.flush();
        return report.passed() ? Rampart.OK : Rampart.GATE_FAILED;
    }
}
