package dev.rampart.benchmarks.train;

import dev.rampart.benchmarks.audit.Audit;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.training.AdversarialTraining;
import dev.rampart.defenses.training.TrainingReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Adversarially trains the reference CNN on Fashion-MNIST and writes it as a DL4J zip. The last
 * {@code --validation} training images are held out: PGD accuracy on them is measured after every
 * epoch and the best epoch's parameters are kept. The bundled robust CNN was made with:
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.benchmarks.train.TrainRobustModel \
 *   -Dexec.args="--method pgd --data /usr/share/datasets/fashion-mnist --out robust-cnn.zip"
 * </pre>
 *
 * Options: {@code --method pgd|fast-fgsm|trades} (pgd), {@code --data DIR} (default: the bundled
 * sample), {@code --epsilon E} (0.1), {@code --steps N} PGD steps when crafting (7),
 * {@code --epochs N} (12), {@code --warmup N} epochs of linear epsilon ramp (2),
 * {@code --lr-drop N} epoch from which Adam's rate is divided by 10 (9; 0: never),
 * {@code --validation N} (1000), {@code --batch N} (64), {@code --seed N} (42), {@code --out FILE},
 * {@code --lr R} Adam's rate before the drop (1e-3), {@code --init standard|robust|FILE} to continue
 * training a bundled model or a saved DL4J zip instead of starting from fresh weights (its Adam state
 * starts anew).
 */
public final class TrainRobustModel {

    private TrainRobustModel() {
    }

    public static void main(String[] args) throws Exception {
        String method = "pgd";
        String data = null;
        double epsilon = 0.1;
        int steps = 7;
        int epochs = 12;
        int warmup = 2;
        int lrDrop = 9;
        int validation = 1000;
        int batch = 64;
        long seed = 42;
        double lr = ReferenceModels.LEARNING_RATE;
        String init = null;
        Path out = Path.of("robust-cnn.zip");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--method" -> method = v;
                case "--data" -> data = v;
                case "--epsilon" -> epsilon = Double.parseDouble(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--lr-drop" -> lrDrop = Integer.parseInt(v);
                case "--validation" -> validation = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--out" -> out = Path.of(v);
                case "--lr" -> lr = Double.parseDouble(v);
                case "--init" -> init = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        AdversarialTraining.Method m = switch (method) {
            case "pgd" -> AdversarialTraining.Method.PGD;
            case "fast-fgsm" -> AdversarialTraining.Method.FAST_FGSM;
            case "trades" -> AdversarialTraining.Method.TRADES;
            default -> throw new IllegalArgumentException("--method must be pgd, fast-fgsm or trades, found " + method);
        };
        if (!(lr > 0)) {
            throw new IllegalArgumentException("--lr must be positive, found " + lr);
        }
        LabeledData all = data == null ? FashionMnist.bundledTrain()
                : FashionMnist.load(Path.of(data), FashionMnist.Split.TRAIN, 0);
        if (validation <= 0 || validation >= all.size()) {
            throw new IllegalArgumentException("--validation must be in [1, " + (all.size() - 1) + "], found "
                    + validation);
        }
        LabeledData train = all.slice(0, all.size() - validation);
        LabeledData heldOut = all.slice(all.size() - validation, all.size());
        MultiLayerNetwork net = initialNetwork(init, seed);
        net.setLearningRate(lr);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        System.out.printf(Locale.ROOT, "%s training on %s (%d examples, %d held out), epsilon %.3f, %d epochs, "
                + "batch %d, seed %d, Adam %.1e, from %s%n", method, train.name(), train.size(), heldOut.size(),
                epsilon, epochs, batch, seed, lr, init == null ? "fresh weights" : init);
        int drop = lrDrop;
        double dropped = lr / 10;
        TrainingReport report = AdversarialTraining.builder(model).method(m).epsilon(epsilon).pgdSteps(steps)
                .epochs(epochs).warmupEpochs(warmup).evaluateOn(heldOut, 10).keepBest(true).seed(seed)
                .onEpoch(e -> {
                    System.out.printf(Locale.ROOT, "epoch %2d  eps %.3f  %6.0f s  held-out clean %.4f  PGD-10 %.4f%n",
                            e.epoch() + 1, e.epsilon(), e.seconds(), e.cleanAccuracy(), e.robustAccuracy());
                    if (drop > 0 && e.epoch() + 1 == drop) {
                        net.setLearningRate(dropped);
                        System.out.println("learning rate divided by 10");
                    }
                })
                .build().fit(new ShuffledBatches(train, batch, seed));
        System.out.println("kept epoch " + (report.finalEpoch() + 1));
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        ModelSerializer.writeModel(net, out.toFile(), false);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static MultiLayerNetwork initialNetwork(String init, long seed) throws Exception {
        return init == null ? ReferenceModels.cnn(seed) : Audit.load(init).network();
    }
}
