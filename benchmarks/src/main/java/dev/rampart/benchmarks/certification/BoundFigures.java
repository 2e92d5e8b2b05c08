package dev.rampart.benchmarks.certification;

import dev.rampart.attacks.evaluation.AutoAttack;
import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ModelFiles;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import dev.rampart.defenses.certification.BoundCertificates;
import dev.rampart.defenses.certification.BoundPropagation;
import dev.rampart.defenses.training.AdversarialTraining;
import dev.rampart.defenses.training.TrainingReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Deterministic certificates on full Fashion-MNIST: trains a reference model with IBP (Gowal et al.
 * 2018) or loads one, then reports its clean accuracy, the accuracy verified by IBP, CROWN-IBP and
 * CROWN at each budget (with the time per example), and AutoAttack's robust accuracy on the same
 * examples, checking that no verified example is broken.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.certification.BoundFigures --model strided-cnn --epochs 20 --warmup 10 \
 *     --train-epsilon 0.11 --save /tmp/ibp.zip --samples 1000
 * java -cp ... dev.rampart.benchmarks.certification.BoundFigures --load /tmp/ibp.zip --samples 1000
 * </pre>
 */
@Command(name = "bound-figures", mixinStandardHelpOptions = true, description = "IBP training and verified"
        + " accuracy on Fashion-MNIST.")
public final class BoundFigures implements Callable<Integer> {

    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--model", description = "reference model to train (default ${DEFAULT-VALUE})")
    String model = "strided-cnn";
    @Option(names = "--load", description = "a trained DL4J zip instead of training")
    Path load;
    @Option(names = "--save", description = "where to write the trained model")
    Path save;
    @Option(names = "--epochs", description = "default ${DEFAULT-VALUE}")
    int epochs = 20;
    @Option(names = "--warmup", description = "epochs of the epsilon and kappa ramps (default ${DEFAULT-VALUE})")
    int warmup = 10;
    @Option(names = "--train-epsilon", description = "training budget (default ${DEFAULT-VALUE})")
    double trainEpsilon = 0.11;
    @Option(names = "--kappa", description = "final weight of the clean loss (default ${DEFAULT-VALUE})")
    double kappa = 0.5;
    @Option(names = "--batch", description = "default ${DEFAULT-VALUE}")
    int batch = 100;
    @Option(names = "--train-n", description = "training images (0: all; default ${DEFAULT-VALUE})")
    int trainN;
    @Option(names = "--epsilons", split = ",", description = "budgets verified (default ${DEFAULT-VALUE})")
    List<Double> epsilons = List.of(0.05, 0.1);
    @Option(names = "--methods", split = ",", description = "default ${DEFAULT-VALUE}")
    List<String> methods = List.of("ibp", "crown-ibp", "crown");
    @Option(names = "--samples", description = "test images verified and attacked, every (10000 / samples)-th"
            + " (default ${DEFAULT-VALUE})")
    int samples = 1000;
    @Option(names = "--no-autoattack", description = "skip AutoAttack at the last budget")
    boolean noAutoattack;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BoundFigures()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        MultiLayerNetworkModel m;
        if (load != null) {
            m = MultiLayerNetworkModel.of(ModelFiles.loadMultiLayerNetwork(load), ReferenceModels.INPUT_SHAPE,
                    InputDomain.UNIT);
        } else {
            LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, trainN);
            MultiLayerNetwork net = ReferenceModels.byName(model, seed);
            m = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
            long t0 = System.nanoTime();
            TrainingReport r = AdversarialTraining.builder(m).method(AdversarialTraining.Method.IBP)
                    .epsilon(trainEpsilon).epochs(epochs).warmupEpochs(warmup).kappa(kappa).seed(seed)
                    .evaluateOn(test.head(1000), 1)
                    .onEpoch(e -> say("epoch %d: epsilon %.3f, held-out clean %.4f, IBP-verified at %.3f %.4f (%.0f s)",
                            e.epoch() + 1, e.epsilon(), e.cleanAccuracy(), trainEpsilon, e.robustAccuracy(), e.seconds()))
                    .build().fit(new ShuffledBatches(train, batch, seed));
            say("trained %s by IBP for %d epochs (%d warm-up, kappa 1 -> %.2f, epsilon 0 -> %.3f, batch %d) in %.0f s",
                    model, epochs, warmup, kappa, trainEpsilon, batch, (System.nanoTime() - t0) / 1e9);
            if (save != null) {
                Files.createDirectories(save.toAbsolutePath().getParent());
                ModelSerializer.writeModel(net, save.toFile(), true);
                say("saved %s", save);
            }
        }
        say("clean accuracy on all %d test images: %.4f", test.size(),
                Metrics.accuracy(m.predictClasses(test.features()), test.labels()));
        int step = Math.max(1, test.size() / samples);
        int[] idx = java.util.stream.IntStream.range(0, test.size()).filter(i -> i % step == 0).limit(samples).toArray();
        LabeledData sub = test.rows(idx, "every " + step + "th test image");
        double[] eps = epsilons.stream().mapToDouble(Double::doubleValue).toArray();
        BoundCertificates last = null;
        for (String name : methods) {
            BoundPropagation.Method method = BoundPropagation.Method.valueOf(name.toUpperCase(Locale.ROOT)
                    .replace('-', '_'));
            BoundCertificates c = BoundPropagation.builder(m).method(method).norm(Norm.LINF).build().certify(sub, eps);
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < eps.length; k++) {
                s.append(String.format(Locale.ROOT, " %.3f:%.4f", eps[k], c.verifiedAccuracy(k)));
            }
            say("%s on %d images: clean %.4f, verified%s; %.1f ms per image per budget", method.label(), sub.size(),
                    c.cleanAccuracy(), s, 1000 * c.seconds() / sub.size() / eps.length);
            last = c;
        }
        if (!noAutoattack && last != null) {
            double e = eps[eps.length - 1];
            RobustnessReport r = AutoAttack.builder(m).norm(Norm.LINF).epsilon(e).seed(seed).build()
                    .evaluate(sub.features(), sub.labels());
            int violations = 0;
            for (int i = 0; i < sub.size(); i++) {
                violations += last.verified(eps.length - 1, i) && !r.robust()[i] ? 1 : 0;
            }
            say("AutoAttack at %.3f: robust accuracy %.4f (%.0f s); verified examples AutoAttack broke: %d", e,
                    r.robustAccuracy(), r.seconds(), violations);
        }
        return 0;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
