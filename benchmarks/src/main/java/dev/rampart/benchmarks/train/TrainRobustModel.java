package dev.rampart.benchmarks.train;

import dev.rampart.benchmarks.audit.Audit;
import dev.rampart.benchmarks.cli.Options;
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
import java.util.Set;
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
 * starts anew), {@code --beta B} TRADES' weight of the KL term (6), {@code --adv-fraction F} share of
 * each batch replaced by adversarial examples for pgd and fast-fgsm (1), {@code --keep best|last} which
 * epoch's parameters to write (best: highest held-out PGD accuracy), {@code --checkpoints} to also write
 * every epoch's parameters next to {@code --out} ({@code NAME-epochN.zip}), {@code --average D} decay of
 * the per-step moving average of the parameters that evaluation, keep-best and the output use (0: off,
 * the default), {@code --model cnn|strided-cnn|mlp} the reference model trained from fresh weights (cnn).
 */
public final class TrainRobustModel {

    private TrainRobustModel() {
    }

    /** The program's options, checked before any data is loaded. */
    record Settings(AdversarialTraining.Method method, String model, String data, double epsilon, int steps,
            int epochs, int warmup, int lrDrop, int validation, int batch, long seed, double lr, String init,
            double beta, double advFraction, double average, boolean keepBest, boolean checkpoints, Path out) {

        static Settings parse(String[] args) {
            Options o = Options.parse(args, Set.of("--method", "--data", "--epsilon", "--steps", "--epochs",
                    "--warmup", "--lr-drop", "--validation", "--batch", "--seed", "--out", "--lr", "--init", "--beta",
                    "--adv-fraction", "--keep", "--average", "--model"), Set.of("--checkpoints"));
            String method = o.text("--method", "pgd");
            AdversarialTraining.Method m = switch (method) {
                case "pgd" -> AdversarialTraining.Method.PGD;
                case "fast-fgsm" -> AdversarialTraining.Method.FAST_FGSM;
                case "trades" -> AdversarialTraining.Method.TRADES;
                default -> throw new IllegalArgumentException("--method must be pgd, fast-fgsm or trades, found "
                        + method);
            };
            String keep = o.text("--keep", "best");
            if (!keep.equals("best") && !keep.equals("last")) {
                throw new IllegalArgumentException("--keep must be best or last, found " + keep);
            }
            double lr = o.number("--lr", ReferenceModels.LEARNING_RATE);
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new IllegalArgumentException("--lr must be positive, found " + lr);
            }
            int lrDrop = o.integer("--lr-drop", 9);
            if (lrDrop < 0) {
                throw new IllegalArgumentException("--lr-drop must be 0 (never) or an epoch, found " + lrDrop);
            }
            String model = o.text("--model", "cnn");
            if (!ReferenceModels.NAMES.contains(model)) {
                throw new IllegalArgumentException("--model must be one of " + ReferenceModels.NAMES + ", found "
                        + model);
            }
            return new Settings(m, model, o.text("--data", null), o.number("--epsilon", 0.1),
                    o.integer("--steps", 7), o.integer("--epochs", 12), o.integer("--warmup", 2), lrDrop, o.integer("--validation", 1000),
                    o.integer("--batch", 64), o.longInteger("--seed", 42), lr, o.text("--init", null),
                    o.number("--beta", 6.0), o.number("--adv-fraction", 1.0), o.number("--average", 0.0),
                    keep.equals("best"), o.flag("--checkpoints"), Path.of(o.text("--out", "robust-cnn.zip")).toAbsolutePath());
        }
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        LabeledData all = s.data() == null ? FashionMnist.bundledTrain()
                : FashionMnist.load(Path.of(s.data()), FashionMnist.Split.TRAIN, 0);
        if (s.validation() <= 0 || s.validation() >= all.size()) {
            throw new IllegalArgumentException("--validation must be in [1, " + (all.size() - 1) + "], found "
                    + s.validation());
        }
        LabeledData train = all.slice(0, all.size() - s.validation());
        LabeledData heldOut = all.slice(all.size() - s.validation(), all.size());
        MultiLayerNetwork net = s.init() == null ? ReferenceModels.byName(s.model(), s.seed())
                : Audit.load(s.init()).network();
        net.setLearningRate(s.lr());
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        AdversarialTraining<MultiLayerNetworkModel> training = AdversarialTraining.builder(model).method(s.method())
                .epsilon(s.epsilon()).pgdSteps(s.steps()).epochs(s.epochs()).warmupEpochs(s.warmup()).beta(s.beta())
                .adversarialFraction(s.advFraction()).weightAveraging(s.average()).evaluateOn(heldOut, 10)
                .keepBest(s.keepBest()).seed(s.seed())
                .onEpoch(e -> {
                    System.out.printf(Locale.ROOT, "epoch %2d  eps %.3f  %6.0f s  held-out clean %.4f  PGD-10 %.4f%n",
                            e.epoch() + 1, e.epsilon(), e.seconds(), e.cleanAccuracy(), e.robustAccuracy());
                    if (s.checkpoints()) {
                        writeCheckpoint(net, s.out(), e.epoch() + 1);
                    }
                    if (s.lrDrop() > 0 && e.epoch() + 1 == s.lrDrop()) {
                        net.setLearningRate(s.lr() / 10);
                        System.out.println("learning rate divided by 10");
                    }
                })
                .build();
        System.out.printf(Locale.ROOT, "%s training on %s (%d examples, %d held out), epsilon %.3f, %d epochs, "
                + "batch %d, seed %d, Adam %.1e, %s, weight averaging %s, from %s%n",
                s.method(), train.name(), train.size(), heldOut.size(), s.epsilon(), s.epochs(), s.batch(), s.seed(),
                s.lr(), s.method() == AdversarialTraining.Method.TRADES ? "beta " + s.beta()
                        : String.format(Locale.ROOT, "adversarial fraction %.2f", s.advFraction()),
                s.average() > 0 ? String.valueOf(s.average()) : "off",
                s.init() == null ? "fresh " + s.model() : s.init());
        Files.createDirectories(s.out().getParent());
        TrainingReport report = training.fit(new ShuffledBatches(train, s.batch(), s.seed()));
        System.out.println("kept epoch " + (report.finalEpoch() + 1));
        ModelSerializer.writeModel(net, s.out().toFile(), false);
        System.out.println("wrote " + s.out());
    }

    private static void writeCheckpoint(MultiLayerNetwork net, Path out, int epoch) {
        String name = out.getFileName().toString().replaceFirst("\\.zip$", "");
        Path file = out.resolveSibling(name + "-epoch" + epoch + ".zip");
        try {
            ModelSerializer.writeModel(net, file.toFile(), false);
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException("cannot write checkpoint " + file, ex);
        }
    }

}
