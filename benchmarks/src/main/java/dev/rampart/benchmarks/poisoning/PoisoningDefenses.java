package dev.rampart.benchmarks.poisoning;

import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.LabelFlipping;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.detection.Strip;
import dev.rampart.defenses.poisoning.ActivationClustering;
import dev.rampart.defenses.poisoning.KnnLabelNoise;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import dev.rampart.defenses.poisoning.PoisonDetector;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.Sanitizer;
import dev.rampart.defenses.poisoning.SpectralSignatures;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The poisoning figures on full Fashion-MNIST and the reference CNN: BadNets all-to-one (a 4x4
 * checkerboard near the bottom-right corner, target class 0) at each poison rate, the clean
 * accuracy and attack success of the model trained on it; activation clustering and spectral
 * signatures (recall, precision, time, and the model retrained without the flagged); Neural
 * Cleanse (anomaly indices, unlearning); STRIP (detection at 1% and 5% false positives); and
 * label flipping at 10% with k-NN detection and relabelling. A long run; prints as it goes.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.poisoning.PoisoningDefenses --epochs 2 --rates 0.05,0.01
 * java -cp ... dev.rampart.benchmarks.poisoning.PoisoningDefenses --epochs 1 --rates 0.05 --detectors ac-confirm \
 *     --skip-model-level --skip-flipping
 * </pre>
 */
@Command(name = "poisoning-defenses", mixinStandardHelpOptions = true, description = "Poisoning figures.")
public final class PoisoningDefenses implements Callable<Integer> {

    @Option(names = "--epochs", description = "training epochs of every model (default ${DEFAULT-VALUE})")
    int epochs = 2;
    @Option(names = "--rates", split = ",", description = "BadNets poison rates (default ${DEFAULT-VALUE})")
    List<Double> rates = List.of(0.05, 0.01);
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--skip-flipping", description = "skip the label-flipping part")
    boolean skipFlipping;
    @Option(names = "--skip-retraining", description = "do not retrain without the flagged examples")
    boolean skipRetraining;
    @Option(names = "--skip-model-level", description = "skip Neural Cleanse and STRIP")
    boolean skipModelLevel;
    @Option(names = "--detectors", split = ",", description = "data-level detectors among ac (activation clustering,"
            + " defaults), ac-confirm (3 rounds, later ones confirmed by retraining), ss (spectral signatures);"
            + " default ${DEFAULT-VALUE}")
    List<String> detectors = List.of("ac", "ac-confirm", "ss");

    public static void main(String[] args) {
        System.exit(new CommandLine(new PoisoningDefenses()).execute(args));
    }

    private TrainingRoutine routine() {
        return ReferenceModels.routine("cnn", epochs, 128);
    }

    @Override
    public Integer call() throws Exception {
        LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, 0);
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        TrainingRoutine routine = routine();
        long t0 = System.nanoTime();
        MultiLayerNetworkModel clean = (MultiLayerNetworkModel) routine.train(train, 1);
        double cleanAcc = Metrics.accuracy(clean.predictClasses(test.features()), test.labels());
        say("clean reference CNN, %d epochs: test accuracy %.4f (%.0f s)", epochs, cleanAcc, secs(t0));
        for (double rate : rates) {
            BadNets attack = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, rate, 7);
            PoisonedData p = attack.poison(train);
            LabeledData asrTest = attack.attackTest(test);
            t0 = System.nanoTime();
            MultiLayerNetworkModel model = (MultiLayerNetworkModel) routine.train(p.data(), 1);
            PoisoningEvaluation e = PoisoningEvaluation.of(model, test, asrTest);
            say("BadNets %.0f%% (%d poisoned): clean accuracy %.4f (drop %.2f points), attack success %.4f (%.0f s)",
                    100 * rate, p.poisoned().length, e.cleanAccuracy(), 100 * (cleanAcc - e.cleanAccuracy()),
                    e.attackSuccessRate(), secs(t0));
            int target = (int) java.util.Arrays.stream(p.data().labels()).filter(c -> c == 0).count();
            double withinTarget = (double) p.poisoned().length / target;
            List<PoisonDetector> chosen = new java.util.ArrayList<>();
            for (String name : detectors) {
                chosen.add(switch (name) {
                    case "ac" -> ActivationClustering.builder(model).seed(1).build();
                    case "ac-confirm" -> ActivationClustering.builder(model).seed(1).rounds(3).confirm(routine, 0.5)
                            .build();
                    case "ss" -> SpectralSignatures.builder(model).expectedPoisonRate(withinTarget).build();
                    default -> throw new CommandLine.ParameterException(new CommandLine(this),
                            "--detectors: unknown detector '" + name + "' (ac, ac-confirm, ss)");
                });
            }
            for (PoisonDetector d : chosen) {
                t0 = System.nanoTime();
                PoisonReport r = d.detect(p.data());
                double detectSecs = secs(t0);
                PoisonReport.Score s = r.against(p.poisonedMask());
                say("  %s: flagged %d, recall %.4f, precision %.4f, false-positive rate %.4f (%.1f s on %d examples)",
                        r.detector(), s.flagged(), s.recall(), s.precision(), s.falsePositiveRate(), detectSecs,
                        p.data().size());
                r.classes().forEach(c -> say("    class %d: %s%s", c.label(), c.detail(), c.suspicious() ? " SUSPICIOUS"
                        : ""));
                if (rate == rates.get(0) && !skipRetraining) {
                    t0 = System.nanoTime();
                    Sanitizer.Result sr = Sanitizer.builder(PoisonDetector.of(r), routine).trained(model).seed(1).build()
                            .run(p.data(), test, asrTest);
                    say("    retrained without the %d flagged: clean accuracy %.4f -> %.4f, attack success %.4f ->"
                            + " %.4f (%.0f s)", sr.removed(), sr.before().cleanAccuracy(), sr.after().cleanAccuracy(),
                            sr.before().attackSuccessRate(), sr.after().attackSuccessRate(), secs(t0));
                }
            }
            if (rate == rates.get(0) && !skipModelLevel) {
                t0 = System.nanoTime();
                NeuralCleanse.Report nc = NeuralCleanse.builder(model).steps(300).seed(1).build()
                        .scan(test.slice(0, 2000));
                say("  Neural Cleanse (%.0f s):%n%s", secs(t0), nc);
                NeuralCleanse.Report ncClean = NeuralCleanse.builder(clean).steps(300).seed(1).build()
                        .scan(test.slice(0, 2000));
                say("  Neural Cleanse on the clean model:%n%s", ncClean);
                if (nc.flagged().length > 0) {
                    MultiLayerNetworkModel copy = model.copy();
                    t0 = System.nanoTime();
                    new NeuralCleanse.Unlearning(0.2, 1, 128, 3).apply(copy, train.slice(0, 10000),
                            nc.triggers().get(nc.flagged()[0]));
                    PoisoningEvaluation u = PoisoningEvaluation.of(copy, test, asrTest);
                    say("  unlearning (10,000 clean images, 20%% with the reversed trigger, 1 epoch, %.0f s): clean"
                            + " accuracy %.4f -> %.4f, attack success %.4f -> %.4f", secs(t0), e.cleanAccuracy(),
                            u.cleanAccuracy(), e.attackSuccessRate(), u.attackSuccessRate());
                }
                LabeledData triggered = attack.attackTest(test.slice(5000, 7000));
                for (double fpr : new double[] {0.01, 0.05}) {
                    t0 = System.nanoTime();
                    Strip strip = Strip.builder(model).overlays(train.slice(0, 5000).features()).samples(100)
                            .falsePositiveRate(fpr).seed(1).fit(test.slice(0, 2000).features());
                    double detected = Metrics.share(strip.flag(triggered.features()), null);
                    double fa = Metrics.share(strip.flag(test.slice(2000, 4000).features()), null);
                    say("  STRIP at %.0f%% FPR (calibrated on 2,000 clean test images): %.4f of %d triggered test"
                            + " images flagged, %.4f of 2,000 other clean ones (%.0f s)", 100 * fpr, detected,
                            triggered.size(), fa, secs(t0));
                }
            }
        }
        if (!skipFlipping) {
            PoisonedData flipped = LabelFlipping.uniform(0.10, 9).poison(train);
            t0 = System.nanoTime();
            MultiLayerNetworkModel noisy = (MultiLayerNetworkModel) routine.train(flipped.data(), 1);
            double before = Metrics.accuracy(noisy.predictClasses(test.features()), test.labels());
            KnnLabelNoise knn = KnnLabelNoise.builder(noisy).k(10).agreement(0.6).build();
            long t1 = System.nanoTime();
            PoisonReport r = knn.detect(flipped.data());
            PoisonReport.Score s = r.against(flipped.poisonedMask());
            say("label flipping 10%%: accuracy %.4f; k-NN (last hidden layer) recall %.4f, precision %.4f (%.0f s)",
                    before, s.recall(), s.precision(), secs(t1));
            LabeledData relabelled = knn.relabel(flipped.data());
            MultiLayerNetworkModel cleaned = (MultiLayerNetworkModel) routine.train(relabelled, 1);
            say("  retrained on the relabelled set: accuracy %.4f -> %.4f (%.0f s in all)", before,
                    Metrics.accuracy(cleaned.predictClasses(test.features()), test.labels()), secs(t0));
        }
        return 0;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
