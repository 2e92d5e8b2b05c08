package dev.rampart.cli;

import dev.rampart.audit.report.CertificationReports;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.report.Provenance;
import dev.rampart.core.norm.Norm;
import dev.rampart.defenses.certification.BoundCertificates;
import dev.rampart.defenses.certification.BoundPropagation;
import dev.rampart.defenses.certification.PartitionAggregation;
import dev.rampart.defenses.certification.UnboundedStageException;
import dev.rampart.defenses.certification.PoisoningCertificates;
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
 * probability at most {@code --alpha}; the model should be trained with Gaussian noise of the same
 * sigma ({@code rampart train --method gaussian --epsilon 0.25}). With {@code --method dpa} (deep
 * partition aggregation, Levine &amp; Feizi 2021) {@code --model} is a recipe: {@code --partitions}
 * models are trained on content-hashed parts of {@code --train}, and every test example gets the
 * number of training examples an attacker must insert or remove to change the vote. With {@code
 * --method ibp|crown-ibp|crown} (bound propagation: Gowal et al. 2018, Zhang et al. 2020, Zhang et
 * al. 2018) every test example is verified, or not, at each {@code --epsilons} budget of the
 * {@code --norm} ball: no input within it changes the model's correct class. The report is the
 * certified accuracy against the budget; {@code --require "smoothing@0.5>=0.6"}, {@code
 * "crown@0.1>=0.6"} or {@code "dpa@10>=0.5"} makes it a gate (exit 1 when missed).
 *
 * <pre>
 * ./rampart certify --model smooth.zip --sigma 0.25 --n 100000 --samples 500 --out certify.json \
 *     --html certify.html --junit certify.xml --require "smoothing@0.5>=0.6"
 * ./rampart certify --method dpa --model mlp --train train/ --partitions 50 --epochs 10 --require "dpa@5>=0.5"
 * ./rampart certify --method crown --model ibp.zip --epsilons 0.05,0.1 --samples 1000 --require "crown@0.1>=0.6"
 * </pre>
 */
@Command(name = "certify", mixinStandardHelpOptions = true, sortOptions = false, description = {"Certify"
        + " predictions: randomized smoothing's L2 radius per example, bound propagation's verified L-inf or L2"
        + " budgets (IBP, CROWN-IBP, CROWN), or deep partition aggregation's number of poisoned training examples"
        + " per example; the certified accuracy against the budget, and gates on it."})
public final class CertifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", required = true, description = "smoothing: the model (DL4J zip, Keras h5, ONNX,"
            + " standard or robust); dpa: the recipe of every part's model (cnn, mlp, strided-cnn, tanh-cnn, scatter-linear, a DL4J"
            + " configuration or zip)")
    String model;
    @Option(names = "--method", description = "smoothing, ibp, crown-ibp, crown or dpa (default ${DEFAULT-VALUE})")
    String method = "smoothing";
    @Option(names = "--data", paramLabel = "PATH", description = "test data (default: the bundled test sample)")
    Path data;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
    String format = "auto";
    @Option(names = "--samples", paramLabel = "N", description = "certify the first N examples (default"
            + " ${DEFAULT-VALUE})")
    int samples = 100;
    @Option(names = "--sigma", paramLabel = "S", description = "smoothing: the noise's standard deviation (default"
            + " ${DEFAULT-VALUE})")
    double sigma = 0.25;
    @Option(names = "--n0", paramLabel = "N", description = "smoothing: noisy copies that choose the class (default"
            + " ${DEFAULT-VALUE})")
    int n0 = 100;
    @Option(names = "--n", paramLabel = "N", description = "smoothing: noisy copies that estimate its probability"
            + " (default ${DEFAULT-VALUE}; the paper uses 100000)")
    int n = 10_000;
    @Option(names = "--alpha", paramLabel = "A", description = "smoothing: probability that a certificate is wrong"
            + " (default ${DEFAULT-VALUE})")
    double alpha = 0.001;
    @Option(names = "--batch", paramLabel = "N", description = "smoothing: noisy copies per forward pass; dpa:"
            + " training batch size (default 1000; dpa 64)")
    Integer batch;
    @Option(names = "--radii", split = ",", paramLabel = "R", description = "smoothing: L2 radii of the curve (default"
            + " 0,0.25,0.5,0.75,1,1.25,1.5,1.75,2)")
    List<Double> radii = List.of(0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0);
    @Option(names = "--epsilons", split = ",", paramLabel = "E", description = "ibp, crown-ibp, crown: budgets of the"
            + " curve (default 0,0.01,0.02,0.05,0.1); every gate's budget is added")
    List<Double> epsilons = List.of(0.0, 0.01, 0.02, 0.05, 0.1);
    @Option(names = "--norm", paramLabel = "NORM", description = "ibp, crown-ibp, crown: linf or l2 (default"
            + " ${DEFAULT-VALUE})")
    String norm = "linf";
    @Option(names = "--train", paramLabel = "PATH", description = "dpa: the training set (default: the bundled"
            + " training sample)")
    Path train;
    @Option(names = "--partitions", paramLabel = "K", description = "dpa: parts and models (default ${DEFAULT-VALUE})")
    int partitions = 50;
    @Option(names = "--epochs", paramLabel = "N", description = "dpa: training epochs of every part's model (default"
            + " ${DEFAULT-VALUE})")
    int epochs = 10;
    @Option(names = "--sizes", split = ",", paramLabel = "N", description = "dpa: poisoning sizes of the curve"
            + " (default 0,1,2,5,10,20)")
    List<Integer> sizes = List.of(0, 1, 2, 5, 10, 20);
    @Option(names = "--require", paramLabel = "GATE", description = "smoothing@RADIUS>=SHARE, crown@EPSILON>=SHARE"
            + " (or ibp, crown-ibp) or dpa@SIZE>=SHARE: fail (exit 1) when the certified accuracy there is lower"
            + " (repeatable)")
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
        boolean dpa = method.equals("dpa");
        BoundPropagation.Method bounds = java.util.Arrays.stream(BoundPropagation.Method.values())
                .filter(m -> m.label().equals(method)).findFirst().orElse(null);
        if (!dpa && bounds == null && !method.equals("smoothing")) {
            p.add("--method must be smoothing, ibp, crown-ibp, crown or dpa, found " + method);
        }
        Norm ballNorm = switch (norm.toLowerCase(Locale.ROOT)) {
            case "linf" -> Norm.LINF;
            case "l2" -> Norm.L2;
            default -> {
                p.add("--norm must be linf or l2, found " + norm);
                yield Norm.LINF;
            }
        };
        if (samples <= 0) {
            p.add("--samples must be positive, found " + samples);
        }
        int batchSize = batch != null ? batch : dpa ? 64 : 1000;
        if (dpa) {
            UsageException.positive(p, "--partitions", partitions);
            UsageException.positive(p, "--epochs", epochs);
            UsageException.positive(p, "--batch", batchSize);
            for (int size : sizes) {
                if (size < 0) {
                    p.add("--sizes must not be negative, found " + size);
                }
            }
        } else if (bounds != null) {
            for (double e : epsilons) {
                if (!(e >= 0) || !Double.isFinite(e)) {
                    p.add("--epsilons must be finite and >= 0, found " + e);
                }
            }
            if (batch != null && (batch <= 0 || batch > BoundPropagation.MAX_BATCH)) {
                p.add("--batch must be in [1, " + BoundPropagation.MAX_BATCH + "], found " + batch);
            }
        } else {
            try {
                new RandomizedSmoothing.Config(sigma, n0, n, alpha, batchSize, seed);
            } catch (IllegalArgumentException e) {
                p.add("--" + e.getMessage().replaceFirst("^batchSize", "batch"));
            }
            for (double r : radii) {
                if (!(r >= 0) || !Double.isFinite(r)) {
                    p.add("--radii must be finite and >= 0, found " + r);
                }
            }
        }
        List<CertificationReports.Requirement> gates = new ArrayList<>();
        for (String g : require) {
            try {
                CertificationReports.Requirement r = CertificationReports.parse(g);
                if (!r.method().equals(dpa ? "dpa" : bounds != null ? bounds.label() : "smoothing")) {
                    p.add("--require '" + g + "' gates " + r.method() + ", but --method is " + method);
                } else {
                    gates.add(r);
                }
            } catch (IllegalArgumentException e) {
                p.add(e.getMessage());
            }
        }
        DataSource.Spec s = PoisoningOptions.spec(data, format, DataSource.Split.TEST, "--data", p);
        DataSource.Spec trainSpec = dpa ? PoisoningOptions.spec(train, format, DataSource.Split.TRAIN, "--train", p)
                : null;
        OutputFiles outputs = new OutputFiles().output("--out", json).output("--html", html).output("--junit", junit)
                .input("--data", data).input("--train", train);
        Recipe recipe = null;
        if (dpa) {
            try {
                recipe = Recipe.parse(model);
                if (!dev.rampart.core.model.zoo.ReferenceModels.NAMES.contains(model)) {
                    outputs.input("--model", Path.of(model));
                }
            } catch (java.io.IOException e) {
                p.add("--model " + e.getMessage());
            }
            outputs.checkAll(p);
        } else {
            outputs.model("--model", model, p).checkAll(p);
        }
        DataSource.Loaded loaded = DataSource.load(s, samples);
        LabeledData d = loaded.data();
        PrintWriter w = spec.commandLine().getOut();
        w.println("data: " + loaded.describe());
        CertificationReports.Certified report = dpa ? partitionAggregation(recipe, trainSpec, loaded, gates, batchSize, w)
                : bounds != null ? bounds(bounds, ballNorm, d, loaded, gates, w)
                : smoothing(d, loaded, gates, batchSize, w);
        for (CertificationReports.Requirement g : gates) {
            double a = report.accuracy().applyAsDouble(g.budget());
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

    private CertificationReports.Certified bounds(BoundPropagation.Method m, Norm ballNorm, LabeledData d,
            DataSource.Loaded loaded, List<CertificationReports.Requirement> gates, PrintWriter w)
            throws java.io.IOException {
        Classifier c = loadModel(d, loaded);
        BoundPropagation bp;
        try {
            bp = BoundPropagation.builder(c).method(m).norm(ballNorm).batchSize(batch != null ? batch : 512).build();
        } catch (UnboundedStageException e) {
            throw new UsageException(List.of("--model " + model + ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of("--model " + model + " cannot be bounded: " + e.getMessage()));
        }
        java.util.TreeSet<Double> budgets = new java.util.TreeSet<>(epsilons);
        gates.forEach(g -> budgets.add(g.budget()));
        double[] eps = budgets.stream().mapToDouble(Double::doubleValue).toArray();
        w.printf(Locale.ROOT, "bound propagation: %s, %s ball, budgets %s on %d examples%n", m.label(),
                ballNorm == Norm.L2 ? "L2" : "L-inf", java.util.Arrays.toString(eps), d.size());
        w.flush();
        BoundCertificates b = bp.certify(d, eps);
        w.printf(Locale.ROOT, "clean accuracy %6.1f%%%n", 100 * b.cleanAccuracy());
        for (int k = 0; k < eps.length; k++) {
            w.printf(Locale.ROOT, "verified accuracy at epsilon %-6s %6.1f%%%n", eps[k], 100 * b.verifiedAccuracy(k));
        }
        w.printf(Locale.ROOT, "%.1f s (%.1f ms per example and budget)%n", b.seconds(),
                1000 * b.seconds() / b.size() / eps.length);
        return CertificationReports.Certified.of(model, loaded.describe(), b, gates, Provenance.current());
    }

    private Classifier loadModel(LabeledData d, DataSource.Loaded loaded) throws java.io.IOException {
        Classifier m = ModelSource.load(model, InputOptions.DEFAULT, d.exampleShape()).model();
        if (m.numClasses() != d.numClasses()) {
            throw new UsageException(List.of("--model " + model + " has " + m.numClasses() + " classes but --data "
                    + loaded.source() + " has " + d.numClasses()));
        }
        return m;
    }

    private CertificationReports.Certified smoothing(LabeledData d, DataSource.Loaded loaded,
            List<CertificationReports.Requirement> gates, int batchSize, PrintWriter w) throws java.io.IOException {
        Classifier m = loadModel(d, loaded);
        w.printf(Locale.ROOT, "randomized smoothing: sigma %s, n0 %d, n %d, alpha %s on %d examples%n", sigma, n0, n,
                alpha, d.size());
        w.flush();
        SmoothingCertificates c = RandomizedSmoothing.builder(m).sigma(sigma).n0(n0).n(n).alpha(alpha)
                .batchSize(batchSize).seed(seed).build().certify(d);
        double[] r = radii.stream().mapToDouble(Double::doubleValue).toArray();
        for (double radius : r) {
            w.printf(Locale.ROOT, "certified accuracy at L2 radius %-5s %6.1f%%%n", radius,
                    100 * c.certifiedAccuracy(radius));
        }
        w.printf(Locale.ROOT, "abstained %.1f%%, median radius of the correct %.3f, %.1f s (%.2f s per example)%n",
                100 * c.abstained(), c.medianCorrectRadius(), c.seconds(), c.seconds() / c.size());
        return CertificationReports.Certified.of(model, loaded.describe(), c, r, gates, Provenance.current());
    }

    private CertificationReports.Certified partitionAggregation(Recipe recipe, DataSource.Spec trainSpec,
            DataSource.Loaded loaded, List<CertificationReports.Requirement> gates, int batchSize, PrintWriter w)
            throws java.io.IOException {
        DataSource.Loaded t = DataSource.load(trainSpec, -1);
        LabeledData trainData = t.data();
        LabeledData d = loaded.data();
        if (!java.util.Arrays.equals(d.exampleShape(), trainData.exampleShape())
                || d.numClasses() != trainData.numClasses()) {
            throw new UsageException(List.of("--data " + loaded.source() + " has examples of shape "
                    + java.util.Arrays.toString(d.exampleShape()) + " in " + d.numClasses() + " classes, but --train "
                    + t.source() + " " + java.util.Arrays.toString(trainData.exampleShape()) + " in "
                    + trainData.numClasses()));
        }
        String mismatch = recipe.mismatch(trainData.exampleShape(), trainData.numClasses());
        if (mismatch != null) {
            throw new UsageException(List.of("--model " + mismatch));
        }
        w.printf(Locale.ROOT, "deep partition aggregation: %d parts of %s, %s for %d epochs each%n", partitions,
                t.describe(), recipe.description(), epochs);
        w.flush();
        final Recipe r = recipe;
        long t0 = System.nanoTime();
        PartitionAggregation.Ensemble e = PartitionAggregation.builder((data, s) -> r.train(data, epochs, batchSize, s,
                ep -> { })).partitions(partitions).seed(seed).build().fit(trainData, i -> {
                    if ((i + 1) % Math.max(1, partitions / 10) == 0 || i + 1 == partitions) {
                        w.printf(Locale.ROOT, "  %d of %d models trained (%.0f s)%n", i + 1, partitions,
                                (System.nanoTime() - t0) / 1e9);
                        w.flush();
                    }
                });
        PoisoningCertificates c = e.certify(d);
        int[] points = sizes.stream().mapToInt(Integer::intValue).toArray();
        for (int size : points) {
            w.printf(Locale.ROOT, "certified accuracy against %-4d poisoned examples %6.1f%%%n", size,
                    100 * c.certifiedAccuracy(size));
        }
        w.printf(Locale.ROOT, "median certified size %.1f%n", c.medianCertifiedSize());
        return CertificationReports.Certified.of(recipe.description(), loaded.describe(), c, points, gates,
                Provenance.current());
    }
}
