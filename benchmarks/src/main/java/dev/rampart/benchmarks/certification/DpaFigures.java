package dev.rampart.benchmarks.certification;

import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.certification.PartitionAggregation;
import dev.rampart.defenses.certification.PoisoningCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Deep partition aggregation's figures (Levine &amp; Feizi 2021) on full Fashion-MNIST: for each
 * number of parts, the ensemble's accuracy, its median certified poisoning size and the certified
 * accuracy against the poisoning size; with {@code --badnets RATE}, the same on a BadNets-poisoned
 * training set (the matrix's 4x4 checkerboard, target 0) beside one model trained on all of it:
 * attack success of each.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.certification.DpaFigures --partitions 50,250 --epochs 10
 * java -cp ... dev.rampart.benchmarks.certification.DpaFigures --partitions 50 --epochs 10 --badnets 0.01
 * </pre>
 */
@Command(name = "dpa-figures", mixinStandardHelpOptions = true, description = "Deep partition aggregation on"
        + " Fashion-MNIST.")
public final class DpaFigures implements Callable<Integer> {

    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--partitions", split = ",", description = "parts (default ${DEFAULT-VALUE})")
    List<Integer> partitions = List.of(50, 250);
    @Option(names = "--model", description = "reference model of every part (default ${DEFAULT-VALUE})")
    String model = "cnn";
    @Option(names = "--epochs", description = "epochs of every part's model (default ${DEFAULT-VALUE})")
    int epochs = 10;
    @Option(names = "--batch", description = "batch size (default ${DEFAULT-VALUE})")
    int batch = 64;
    @Option(names = "--badnets", description = "poison rate of a BadNets run (default: none)")
    double badnets;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DpaFigures()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, 0);
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        TrainingRoutine routine = ReferenceModels.routine(model, epochs, batch);
        BadNets attack = badnets > 0 ? BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, badnets, 7) : null;
        PoisonedData p = attack == null ? null : attack.poison(train);
        LabeledData used = p == null ? train : p.data();
        LabeledData triggered = attack == null ? null : attack.attackTest(test);
        for (int k : partitions) {
            long t0 = System.nanoTime();
            PartitionAggregation.Ensemble e = PartitionAggregation.builder(routine).partitions(k).seed(seed).build()
                    .fit(used, i -> {
                        if ((i + 1) % Math.max(1, k / 10) == 0) {
                            say("  %d of %d models trained (%.0f s)", i + 1, k, (System.nanoTime() - t0) / 1e9);
                        }
                    });
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            PoisoningCertificates c = e.certify(test);
            StringBuilder curve = new StringBuilder();
            for (int size : new int[] {0, 1, 2, 5, 10, 15, 20, 25, 50, 100}) {
                if (size <= k / 2) {
                    curve.append(String.format(Locale.ROOT, " %d:%.1f%%", size, 100 * c.certifiedAccuracy(size)));
                }
            }
            say("k %d (%s, %d epochs, parts of %d-%d images)%s: accuracy %.4f, median certified size %.1f,"
                    + " certified accuracy by size%s; training %.0f s, votes %.1f s", k, model, epochs,
                    java.util.Arrays.stream(e.partitionSizes()).min().orElse(0),
                    java.util.Arrays.stream(e.partitionSizes()).max().orElse(0),
                    p == null ? "" : String.format(Locale.ROOT, " on BadNets %.1f%%", 100 * badnets),
                    c.certifiedAccuracy(0), c.medianCertifiedSize(), curve, trainSeconds, c.seconds());
            if (triggered != null) {
                say("  attack success of the ensemble: %.4f", Metrics.accuracy(e.certify(triggered).classes(),
                        triggered.labels()));
            }
        }
        if (triggered != null) {
            long t0 = System.nanoTime();
            Classifier one = routine.train(used, seed);
            say("one %s trained on all of the poisoned set: accuracy %.4f, attack success %.4f (%.0f s)", model,
                    Metrics.accuracy(one.predictClasses(test.features()), test.labels()),
                    Metrics.accuracy(one.predictClasses(triggered.features()), triggered.labels()), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
