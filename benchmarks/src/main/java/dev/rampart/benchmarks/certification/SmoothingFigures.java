package dev.rampart.benchmarks.certification;

import dev.rampart.attacks.evasion.CarliniWagner;
import dev.rampart.attacks.evasion.DeepFool;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.zoo.ModelFiles;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import dev.rampart.defenses.certification.RandomizedSmoothing;
import dev.rampart.defenses.certification.SmoothingCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The randomized-smoothing figures of BENCHMARKS.md: certified accuracy against the L2 radius on
 * Fashion-MNIST test images (the paper's table layout, Cohen, Rosenfeld &amp; Kolter 2019), time per
 * certified example, and the certificates put to PGD-L2 (at each radius of {@code --pgd-radii}),
 * DeepFool and C&amp;W on the base classifier: every certified example an attack moves inside its
 * certificate is classified again by PREDICT.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.certification.SmoothingFigures --model smooth-0.25.zip --sigma 0.25 \
 *     --n 100000 --samples 100 --attacks
 * </pre>
 */
@Command(name = "smoothing-figures", mixinStandardHelpOptions = true, description = "Randomized smoothing's"
        + " certified accuracy on Fashion-MNIST, and attacks inside the certificates.")
public final class SmoothingFigures implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "a DL4J zip of the base classifier")
    Path model;
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--sigma", description = "default ${DEFAULT-VALUE}")
    double sigma = 0.25;
    @Option(names = "--n", description = "default ${DEFAULT-VALUE}")
    int n = 100_000;
    @Option(names = "--n0", description = "default ${DEFAULT-VALUE}")
    int n0 = 100;
    @Option(names = "--alpha", description = "default ${DEFAULT-VALUE}")
    double alpha = 0.001;
    @Option(names = "--samples", description = "test images, every (10000 / samples)-th (default ${DEFAULT-VALUE})")
    int samples = 100;
    @Option(names = "--batch", description = "noisy copies per forward pass (default ${DEFAULT-VALUE})")
    int batch = 1000;
    @Option(names = "--attacks", description = "also attack the certificates")
    boolean attacks;
    @Option(names = "--pgd-radii", split = ",", description = "PGD-L2 budgets (default ${DEFAULT-VALUE})")
    List<Double> pgdRadii = List.of(0.25, 0.5, 1.0);
    @Option(names = "--check-n", description = "PREDICT's noisy copies when an attacked example is classified again"
            + " (default ${DEFAULT-VALUE})")
    int checkN = 10_000;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SmoothingFigures()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        int stride = Math.max(1, test.size() / samples);
        int[] idx = new int[Math.min(samples, test.size())];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i * stride;
        }
        LabeledData d = test.rows(idx, "test:every" + stride);
        GradientClassifier m = ModelFiles.load(model, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        double clean = dev.rampart.core.metric.Metrics.accuracy(m.predictClasses(d.features()), d.labels());
        RandomizedSmoothing smoothing = RandomizedSmoothing.builder(m).sigma(sigma).n0(n0).n(n).alpha(alpha)
                .batchSize(batch).seed(seed).build();
        say("%s: base classifier's clean accuracy %.4f on %d test images (every %d-th)", model.getFileName(), clean,
                d.size(), stride);
        SmoothingCertificates c = smoothing.certify(d);
        say("certified %d images in %.0f s", d.size(), c.seconds());
        double[] radii = {0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0};
        StringBuilder head = new StringBuilder("| sigma | n | ");
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %,d | ", sigma, n));
        for (double r : radii) {
            head.append(r).append(" | ");
            row.append(String.format(Locale.ROOT, "%.1f%% | ", 100 * c.certifiedAccuracy(r)));
        }
        say("%s abstained | s per example |", head);
        say("%s %.1f%% | %.2f |", row, 100 * c.abstained(), c.seconds() / c.size());
        say("median certified radius of the correct: %.3f", c.medianCorrectRadius());
        if (attacks) {
            List<EvasionResult> results = new ArrayList<>();
            for (double eps : pgdRadii) {
                results.add(Pgd.builder(m).norm(Norm.L2).epsilon(eps).steps(100).restarts(1).seed(seed).build()
                        .run(d.features(), d.labels()));
            }
            results.add(DeepFool.builder(m).norm(Norm.L2).epsilon(10).build().run(d.features(), d.labels()));
            results.add(CarliniWagner.builder(m).epsilon(10).seed(seed).build().run(d.features(), d.labels()));
            RandomizedSmoothing predict = RandomizedSmoothing.builder(m).sigma(sigma).n0(Math.min(n0, checkN)).n(checkN)
                    .alpha(alpha).batchSize(batch).seed(seed + 1).build();
            for (EvasionResult r : results) {
                RandomizedSmoothing.AttackCheck k = predict.check(c, r);
                say("%s (L2 %.2f): %d adversarial examples inside a certificate classified again: %d broken, %d"
                        + " abstained", r.attack(), r.epsilon(), k.tried(), k.broken(), k.abstained());
            }
        }
        return 0;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
