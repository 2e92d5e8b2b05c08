package dev.rampart.cli;

import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ModelFiles;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.model.zoo.ReferenceTraining;
import dev.rampart.defenses.training.AdversarialTraining;
import dev.rampart.defenses.training.TrainingReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart train}: trains a reference model on Fashion-MNIST, normally ({@code --method
 * standard}) or with adversarial training (PGD, fast FGSM, TRADES), and writes a DL4J zip. The
 * last {@code --validation} training images are held out: adversarial runs measure clean and
 * PGD-10 accuracy on them after every epoch and keep the best epoch. The bundled models were made
 * with this command (the commands are in {@code benchmarks/BENCHMARKS.md}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a reference model, normally or adversarially, and write it as a DL4J zip.")
public final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** How the model is trained: normally, or with one of the adversarial-training methods. */
    enum Method {
        STANDARD(null), PGD(AdversarialTraining.Method.PGD), FAST_FGSM(AdversarialTraining.Method.FAST_FGSM),
        TRADES(AdversarialTraining.Method.TRADES), GAUSSIAN(AdversarialTraining.Method.GAUSSIAN),
        SMOOTH_ADV(AdversarialTraining.Method.SMOOTH_ADV), IBP(AdversarialTraining.Method.IBP),
        CROWN_IBP(AdversarialTraining.Method.CROWN_IBP);

        final AdversarialTraining.Method adversarial;

        Method(AdversarialTraining.Method adversarial) {
            this.adversarial = adversarial;
        }
    }

    /** Which epoch's weights are written. */
    enum Keep { BEST, LAST }

    @Option(names = "--method", paramLabel = "M", description = "standard, pgd, fast-fgsm, trades, gaussian (noise of standard"
            + " deviation --epsilon: a base model for randomized smoothing) or smooth-adv (PGD-L2 of radius --epsilon"
            + " on the model smoothed with noise --sigma), ibp or crown-ibp (certified training by bounds at"
            + " L-inf --epsilon) (default: pgd)")
    Method method = Method.PGD;
    @Option(names = "--model", paramLabel = "NAME", description = "cnn, mlp, strided-cnn, tanh-cnn or scatter-linear,"
            + " from fresh weights (default: cnn)")
    String model = "cnn";
    @Option(names = "--init", paramLabel = "M", description = "continue from standard, robust or a DL4J zip instead"
            + " (its Adam state starts anew)")
    String init;
    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX directory (default: the bundled"
            + " sample)")
    Path data;
    @Option(names = "--epsilon", paramLabel = "E", description = "L-inf budget, or the noise's standard deviation for gaussian (default: 0.1)")
    double epsilon = 0.1;
    @Option(names = "--steps", paramLabel = "N", description = "PGD steps when crafting (default: 7)")
    int steps = 7;
    @Option(names = "--epochs", paramLabel = "N", description = "epochs (default: 5 standard, 12 adversarial)")
    Integer epochs;
    @Option(names = "--warmup", paramLabel = "N", description = "epochs of linear epsilon ramp (default: 2, or"
            + " --epochs when fewer)")
    Integer warmup;
    @Option(names = "--lr", paramLabel = "R", description = "Adam's learning rate (default: 1e-3)")
    double lr = ReferenceModels.LEARNING_RATE;
    @Option(names = "--lr-drop", paramLabel = "N", description = "epoch after which the rate is divided by 10 (0:"
            + " never; default: 9)")
    int lrDrop = 9;
    @Option(names = "--validation", paramLabel = "N", description = "training images held out (default: 1000; 0:"
            + " none, for --method standard)")
    int validation = 1000;
    @Option(names = "--batch", paramLabel = "N", description = "batch size (default: 64)")
    int batch = 64;
    @Option(names = "--seed", paramLabel = "N", description = "seed of initialization, shuffles and attacks (default:"
            + " 42)")
    long seed = 42;
    @Option(names = "--beta", paramLabel = "B", description = "TRADES' weight of the KL term (default: 6)")
    double beta = 6;
    @Option(names = "--sigma", paramLabel = "S", description = "smooth-adv's noise standard deviation (default: 0.25)")
    double sigma = 0.25;
    @Option(names = "--kappa", paramLabel = "K", description = "ibp's final weight of the clean loss (default: 0.5)")
    double kappa = 0.5;
    @Option(names = "--noise-samples", paramLabel = "M", description = "smooth-adv's noise draws per example"
            + " (default: 1)")
    int noiseSamples = 1;
    @Option(names = "--adv-fraction", paramLabel = "F", description = "share of each batch made adversarial, pgd"
            + " and fast-fgsm (default: 1)")
    double advFraction = 1;
    @Option(names = "--average", paramLabel = "D", description = "decay of the moving average of the weights (0:"
            + " off, default)")
    double average;
    @Option(names = "--keep", paramLabel = "best|last", description = "which epoch to write (default: best)")
    Keep keep = Keep.BEST;
    @Option(names = "--checkpoints", description = "also write every epoch as NAME-epochN.zip")
    boolean checkpoints;
    @Option(names = "--out", paramLabel = "FILE", description = "the model zip (default: model.zip)")
    Path out = Path.of("model.zip");
    @CommandLine.Mixin
    VerboseOption verbose;

    /** Every option checked, one problem per line, before any data is read. */
    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (!ReferenceModels.NAMES.contains(model)) {
            p.add("--model must be one of " + ReferenceModels.NAMES + ", found " + model);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            p.add("--lr must be positive, found " + lr);
        }
        if (lrDrop < 0) {
            p.add("--lr-drop must be 0 (never) or an epoch, found " + lrDrop);
        }
        if (epochs != null && epochs <= 0) {
            p.add("--epochs must be positive, found " + epochs);
        }
        if (batch <= 0) {
            p.add("--batch must be positive, found " + batch);
        }
        if (validation < 0 || (validation == 0 && method != Method.STANDARD)) {
            p.add("--validation must be positive (0 only for --method standard), found " + validation);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            p.add("--epsilon must be positive, found " + epsilon);
        }
        if (steps <= 0) {
            p.add("--steps must be positive, found " + steps);
        }
        int epochCount = epochs != null ? epochs : method == Method.STANDARD ? 5 : 12;
        int warmupEpochs = warmupEpochs(epochCount);
        if (method != Method.STANDARD && epochCount > 0 && (warmupEpochs < 0 || warmupEpochs > epochCount)) {
            p.add("--warmup must be in [0, --epochs=" + epochCount + "], found " + warmupEpochs);
        }
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            p.add("--sigma must be positive, found " + sigma);
        }
        if (!(kappa >= 0 && kappa <= 1)) {
            p.add("--kappa must be in [0, 1], found " + kappa);
        }
        if (noiseSamples <= 0) {
            p.add("--noise-samples must be positive, found " + noiseSamples);
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            p.add("--beta must be positive, found " + beta);
        }
        if (!(advFraction > 0 && advFraction <= 1)) {
            p.add("--adv-fraction must be in (0, 1], found " + advFraction);
        }
        if (!(average >= 0 && average < 1)) {
            p.add("--average must be in [0, 1), found " + average);
        }
        if (init != null) {
            try {
                ModelSource.check(init);
            } catch (IOException e) {
                p.add("--init " + e.getMessage());
            }
        }
        if (data != null && !Files.isDirectory(data)) {
            p.add("--data " + data + " is not a directory");
        }
        new OutputFiles().output("--out", out).input("--data", data).check(p);
        return p;
    }

    @Override
    public Integer call() throws IOException {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new UsageException(problems);
        }
        PrintWriter w = spec.commandLine().getOut();
        boolean standard = method == Method.STANDARD;
        int epochCount = epochs != null ? epochs : standard ? 5 : 12;
        dev.rampart.audit.source.DataSource.Loaded loaded = dev.rampart.audit.source.DataSource.load(
                new dev.rampart.audit.source.DataSource.Spec(data, data == null ? "auto" : "idx", 1, -1, false, 10,
                        dev.rampart.audit.source.DataSource.Split.TRAIN), 0);
        LabeledData all = loaded.data();
        w.println("data: " + loaded.describe());
        if (validation >= all.size()) {
            throw new UsageException(List.of("--validation must be below the " + all.size() + " training images, found "
                    + validation));
        }
        LabeledData train = validation == 0 ? all : all.slice(0, all.size() - validation);
        LabeledData heldOut = validation == 0 ? null : all.slice(all.size() - validation, all.size());
        MultiLayerNetwork net = init == null ? ReferenceModels.byName(model, seed) : initial(init);
        net.setLearningRate(lr);
        Path file = out.toAbsolutePath();
        Files.createDirectories(file.getParent());
        MultiLayerNetworkModel wrapped = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        w.printf(Locale.ROOT, "%s training of %s on %s (%d examples, %d held out), %d epochs, batch %d, seed %d, Adam"
                + " %.1e%s%n", OptionEnums.spelling(method), init == null ? "a fresh " + model : init, train.name(), train.size(),
                validation, epochCount, batch, seed, lr, standard ? "" : String.format(Locale.ROOT,
                        ", epsilon %s, %d steps", epsilon, steps));
        w.flush();
        if (standard) {
            ReferenceTraining.train(net, train, epochCount, batch, seed, epoch -> {
                if (heldOut != null) {
                    w.printf(Locale.ROOT, "epoch %2d  held-out accuracy %.4f%n", epoch + 1,
                            Metrics.accuracy(wrapped.predictClasses(heldOut.features()), heldOut.labels()));
                } else {
                    w.printf(Locale.ROOT, "epoch %2d done%n", epoch + 1);
                }
                w.flush();
                after(net, file, epoch + 1, w);
            });
        } else {
            TrainingReport report = AdversarialTraining.builder(wrapped).method(method.adversarial).epsilon(epsilon)
                    .pgdSteps(steps).epochs(epochCount).warmupEpochs(warmupEpochs(epochCount)).beta(beta)
                    .adversarialFraction(advFraction)
                    .sigma(sigma).noiseSamples(noiseSamples).kappa(kappa)
                    .norm(method == Method.SMOOTH_ADV ? dev.rampart.core.norm.Norm.L2 : dev.rampart.core.norm.Norm.LINF)
                    .weightAveraging(average).evaluateOn(heldOut, 10).keepBest(keep == Keep.BEST).seed(seed)
                    .onEpoch(e -> {
                        w.printf(Locale.ROOT, "epoch %2d  eps %.3f  %6.0f s  held-out clean %.4f  %s %.4f%n",
                                e.epoch() + 1, e.epsilon(), e.seconds(), e.cleanAccuracy(),
                                method == Method.GAUSSIAN || method == Method.SMOOTH_ADV ? "under noise"
                                        : method == Method.IBP || method == Method.CROWN_IBP ? "IBP-verified"
                                        : "PGD-10",
                                e.robustAccuracy());
                        w.flush();
                        after(net, file, e.epoch() + 1, w);
                    }).build().fit(new ShuffledBatches(train, batch, seed));
            w.println("kept epoch " + (report.finalEpoch() + 1));
        }
        writeModel(net, file);
        w.println("wrote " + file);
        return Rampart.OK;
    }

    private void after(MultiLayerNetwork net, Path file, int epoch, PrintWriter w) {
        if (checkpoints) {
            String name = file.getFileName().toString().replaceFirst("\\.zip$", "");
            Path cp = file.resolveSibling(name + "-epoch" + epoch + ".zip");
            try {
                writeModel(net, cp);
            } catch (IOException ex) {
                throw new UncheckedIOException(new IOException("checkpoint: " + ex.getMessage(), ex));
            }
        }
        if (lrDrop > 0 && epoch == lrDrop) {
            net.setLearningRate(lr / 10);
            w.println("learning rate divided by 10");
        }
    }

    /** The network as a DL4J zip, written atomically. */
    private static void writeModel(MultiLayerNetwork net, Path file) throws IOException {
        dev.rampart.core.io.AtomicFiles.write(file, tmp -> ModelSerializer.writeModel(net, tmp.toFile(), false));
    }

    private static MultiLayerNetwork initial(String name) throws IOException {
        if (ModelSource.bundled(name)) {
            return ((MultiLayerNetworkModel) ModelSource.load(name, dev.rampart.audit.source.InputOptions.DEFAULT,
                    ReferenceModels.INPUT_SHAPE).model()).network();
        }
        return ModelFiles.loadMultiLayerNetwork(Path.of(name));
    }

    /** --warmup, or by default 2 epochs, fewer when the run is shorter. */
    private int warmupEpochs(int epochCount) {
        return warmup != null ? warmup : Math.max(0, Math.min(2, epochCount));
    }
}
