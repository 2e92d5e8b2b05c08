package dev.rampart.benchmarks.privacy;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Standardized;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import dev.rampart.core.model.scattering.ScatterNet;
import dev.rampart.core.model.scattering.ScatteringLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Test accuracy of DP-SGD on full Fashion-MNIST at a list of target epsilons (delta 1e-5): for
 * each, the noise multiplier is calibrated by the RDP accountant, then the tempered-sigmoid CNN
 * ({@link ReferenceModels#tanhCnn}) is trained with plain SGD. The defaults are the Fashion-MNIST
 * settings of Papernot et al. (AAAI 2021): expected batch 2048, learning rate 4, 40 epochs, clip
 * norm 0.12. A long run (tens of minutes a target on two cores); prints every epoch.
 *
 * <p>{@code --standardize} feeds the network {@code (x - 0.2860) / 0.3530}, the published
 * Fashion-MNIST pixel mean and standard deviation, as Tramèr &amp; Boneh (ICLR 2021) do. The
 * constants are public knowledge, not statistics of the private training set, so using them costs
 * no privacy budget.
 *
 * <p>{@code --model scatter-linear} and {@code scatter-cnn} train Tramèr &amp; Boneh's (ICLR 2021)
 * ScatterNet models instead: the scattering features ({@link ScatteringLayer}, J = 2, L = 8,
 * {@code --groups} per-example normalization groups) of every image are computed once, a linear
 * model or small tanh CNN is trained on them with DP-SGD, and the trained head is put behind the
 * scattering layer again to check the accuracy of the one network over images.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.privacy.DpSgdAccuracy --epsilons 1,3,8
 * java -cp ... dev.rampart.benchmarks.privacy.DpSgdAccuracy --model scatter-linear --batch 8192 \
 *     --learning-rate 16 --momentum 0.9 --clip 0.1 --epsilons 3
 * </pre>
 *
 * <p>{@code --export-features DIR} writes the ScatterNet features instead of training, so that an
 * independent trainer ({@code scripts/scatter-dp-linear-peer.py}) can run the published protocol on
 * exactly the same inputs.
 */
@Command(name = "dp-sgd-accuracy", mixinStandardHelpOptions = true,
        description = "DP-SGD test accuracy on full Fashion-MNIST at target epsilons.")
public final class DpSgdAccuracy implements Callable<Integer> {

    @Option(names = "--epsilons", split = ",", description = "target epsilons (default ${DEFAULT-VALUE})")
    List<Double> epsilons = List.of(1.0, 3.0, 8.0);
    @Option(names = "--epochs", description = "default ${DEFAULT-VALUE}")
    int epochs = 40;
    @Option(names = "--batch", description = "expected batch size (default ${DEFAULT-VALUE})")
    int batch = 2048;
    @Option(names = "--learning-rate", description = "SGD learning rate (default ${DEFAULT-VALUE})")
    double learningRate = 4;
    @Option(names = "--momentum", description = "Nesterov momentum, 0 for plain SGD (default ${DEFAULT-VALUE})")
    double momentum = 0;
    @Option(names = "--clip", description = "per-example clip norm (default ${DEFAULT-VALUE})")
    double clip = 0.12;
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--seed", split = ",", description = "one or more seeds, each a run per epsilon (default"
            + " ${DEFAULT-VALUE})")
    List<Long> seeds = List.of(1L);
    @Option(names = "--standardize", description = "standardize inputs with the public Fashion-MNIST mean and std")
    boolean standardize;
    @Option(names = "--model", description = "tanh-cnn, scatter-linear or scatter-cnn (default ${DEFAULT-VALUE})")
    String model = "tanh-cnn";
    @Option(names = "--groups", description = "ScatterNet: per-example normalization groups, 0 for none"
            + " (default ${DEFAULT-VALUE})")
    int groups = 27;
    @Option(names = "--export-features", description = "ScatterNet: write the features (train.f32, test.f32:"
            + " little-endian float32 rows; train.labels, test.labels: a class a line) to DIR and stop, for"
            + " scripts/scatter-dp-linear-peer.py")
    Path exportDir;

    /** Published Fashion-MNIST pixel mean and standard deviation (public, so free of privacy cost). */
    static final double[] MEAN = {0.2860};
    static final double[] STD = {0.3530};

    public static void main(String[] args) {
        System.exit(new CommandLine(new DpSgdAccuracy()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (exportDir != null && !model.startsWith("scatter-")) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--export-features writes ScatterNet features: it needs --model scatter-linear or scatter-cnn");
        }
        if (exportDir != null && java.nio.file.Files.exists(exportDir) && !java.nio.file.Files.isDirectory(exportDir)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--export-features must name a directory, found the file " + exportDir);
        }
        LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, 0);
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        InputDomain domain = InputDomain.UNIT;
        if (standardize) {
            train = standardized(train);
            test = standardized(test);
            domain = Standardized.standardizedDomain(MEAN, STD, InputDomain.UNIT);
        }
        ScatteringLayer front = null;
        if (model.startsWith("scatter-")) {
            if (standardize) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--standardize applies to tanh-cnn only; ScatterNet normalizes its features per example");
            }
            front = new ScatteringLayer(2, 8, groups);
            long t0 = System.nanoTime();
            train = ScatterNet.features(front, train);
            test = ScatterNet.features(front, test);
            domain = featureDomain(front);
            System.out.printf(Locale.ROOT, "scattering J=2 L=8 groups %d: %d + %d images in %.1f s, features %s%n",
                    groups, train.size(), test.size(), (System.nanoTime() - t0) / 1e9,
                    java.util.Arrays.toString(train.exampleShape()));
            if (exportDir != null) {
                export(train, exportDir, "train");
                export(test, exportDir, "test");
                System.out.println("features written to " + exportDir);
                return 0;
            }
        } else if (!model.equals("tanh-cnn")) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--model must be tanh-cnn, scatter-linear or scatter-cnn, found " + model);
        }
        for (long seed : seeds) {
            for (double target : epsilons) {
                run(train, test, domain, front, target, seed);
            }
        }
        return 0;
    }

    private void run(LabeledData train, LabeledData test, InputDomain domain, ScatteringLayer front, double target,
        long seed) throws java.io.IOException {
        double delta = 1e-5;
        double q = (double) batch / train.size();
        long steps = (long) epochs * (long) Math.ceil((double) train.size() / batch);
        double sigma = RdpAccountant.noiseMultiplier(target, q, steps, delta, RdpAccountant.DEFAULT_ORDERS);
        IUpdater updater = momentum > 0 ? new Nesterovs(learningRate, momentum) : new Sgd(learningRate);
        MultiLayerNetwork net = switch (model) {
            case "scatter-linear" -> ScatterNet.linearHead(front, ReferenceModels.INPUT_SHAPE, 10, seed, updater);
            case "scatter-cnn" -> ScatterNet.cnnHead(front, ReferenceModels.INPUT_SHAPE, 10, seed, updater);
            default -> ReferenceModels.tanhCnn(seed, updater);
        };
        MultiLayerNetworkModel trained = MultiLayerNetworkModel.of(net, train.exampleShape(), domain);
        System.out.printf(Locale.ROOT, "target epsilon %.2f: %s, sigma %.4f, q %.5f, %d steps, momentum %.2f,"
                + " standardized %b, seed %d%n", target, model, sigma, q, steps, momentum, standardize, seed);
        DpSgd.PrivacyReport r = DpSgd.builder(trained).clipNorm(clip).noiseMultiplier(sigma).expectedBatchSize(batch)
                .epochs(epochs).delta(delta).seed(seed).evaluateOn(test)
                .onEpoch(e -> System.out.printf(Locale.ROOT, "  epoch %2d  epsilon %.3f  %.1f s  clipped %.2f"
                        + "  test accuracy %.2f%%%n", e.epoch() + 1, e.epsilon(), e.seconds(), e.clippedShare(),
                        100 * e.heldOutAccuracy()))
                .build().fit(train);
        System.out.printf(Locale.ROOT, "RESULT target %.2f seed %d: epsilon %.3f (order %.1f), sigma %.4f, test accuracy"
                + " %.2f%%%n", target, seed, r.epsilon(), r.order(), sigma,
                100 * r.epochs().get(r.epochs().size() - 1).heldOutAccuracy());
        if (front != null) {
            // the trained head behind the scattering layer again: one network over images
            MultiLayerNetworkModel whole = MultiLayerNetworkModel.of(ScatterNet.compose(front,
                    ReferenceModels.INPUT_SHAPE, net), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
            LabeledData images = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
            System.out.printf(Locale.ROOT, "composed network over images: test accuracy %.2f%%%n",
                    100 * dev.rampart.core.metric.Metrics.accuracy(whole.predictClasses(images.features()),
                            images.labels()));
        }
    }

    /** {@code d}'s features as little-endian float32 rows in {@code NAME.f32}, its labels in {@code NAME.labels}. */
    private static void export(LabeledData d, Path dir, String name) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        org.nd4j.linalg.api.ndarray.INDArray rows = d.features().reshape(d.size(), -1);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(name + ".f32"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) rows.size(1) * 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < d.size(); i++) {
                b.clear();
                b.asFloatBuffer().put(rows.getRow(i).toFloatVector());
                b.position(0).limit(b.capacity());
                ch.write(b);
            }
        }
        StringBuilder labels = new StringBuilder();
        for (int y : d.labels()) {
            labels.append(y).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve(name + ".labels"), labels);
    }

    /** The box holding every scattering feature of an image in [0, 1]. */
    static InputDomain featureDomain(ScatteringLayer front) {
        double b = front.outputBound(ReferenceModels.INPUT_SHAPE, 1.0);
        return new InputDomain(-b, b);
    }

    private static LabeledData standardized(LabeledData d) {
        return new LabeledData(d.name() + " (standardized)", d.features().sub(MEAN[0]).divi(STD[0]), d.labels(),
                d.numClasses());
    }
}
