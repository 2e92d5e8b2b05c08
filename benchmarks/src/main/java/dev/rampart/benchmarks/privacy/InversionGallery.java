package dev.rampart.benchmarks.privacy;

import dev.rampart.attacks.inference.ModelInversion;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.report.Images;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.NoiseSource;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * MI-Face model inversion (Fredrikson et al. 2015) of every Fashion-MNIST class, one PNG per class
 * and a contact sheet, for: the bundled CNN (white-box); the same architecture trained with DP-SGD
 * on the bundled sample at {@code --dp-epsilon}; and the bundled CNN seen through its probabilities
 * only, as released and rounded to {@code --round} decimals (Fredrikson et al.'s countermeasure).
 * Prints the target's confidence on each inversion, its cosine similarity to the class-mean
 * training image and whether the nearest class mean is its own class.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.privacy.InversionGallery --out reports/inversion
 * </pre>
 */
@Command(name = "inversion-gallery", mixinStandardHelpOptions = true, description = "MI-Face per class.")
public final class InversionGallery implements Callable<Integer> {

    @Option(names = "--out", description = "output directory (default ${DEFAULT-VALUE})")
    Path out = Path.of("reports/inversion");
    @Option(names = "--steps", description = "white-box steps (default ${DEFAULT-VALUE})")
    int steps = 1000;
    @Option(names = "--query-steps", description = "query-only steps (default ${DEFAULT-VALUE})")
    int querySteps = 60;
    @Option(names = "--round", description = "decimals of the rounded release (default ${DEFAULT-VALUE})")
    int round = 2;
    @Option(names = "--dp-epsilon", description = "DP-SGD target epsilon at delta 1e-5 (default ${DEFAULT-VALUE})")
    double dpEpsilon = 3;
    @Option(names = "--dp-epochs", description = "DP-SGD epochs (default ${DEFAULT-VALUE})")
    int dpEpochs = 10;

    private static final int[] CLASSES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

    public static void main(String[] args) {
        System.exit(new CommandLine(new InversionGallery()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabeledData train = FashionMnist.bundledTrain();
        LabeledData test = FashionMnist.bundledTest();
        MultiLayerNetworkModel cnn = BundledModels.referenceCnn();
        int batch = 200;
        double sigma = RdpAccountant.noiseMultiplier(dpEpsilon, (double) batch / train.size(),
                (long) dpEpochs * (train.size() / batch), 1e-5, RdpAccountant.DEFAULT_ORDERS);
        MultiLayerNetworkModel dp = MultiLayerNetworkModel.of(ReferenceModels.cnn(1), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        DpSgd.PrivacyReport r = DpSgd.builder(dp).clipNorm(1).noiseMultiplier(sigma).expectedBatchSize(batch)
                .epochs(dpEpochs).seed(1).noise(NoiseSource.seeded(1)).build().fit(train);
        System.out.printf(Locale.ROOT, "bundled CNN test accuracy %.3f; DP-SGD CNN (sigma %.3f, epsilon %.2f) %.3f%n",
                Metrics.accuracy(cnn.predictClasses(test.features()), test.labels()), sigma, r.epsilon(),
                Metrics.accuracy(dp.predictClasses(test.features()), test.labels()));
        ModelInversion.Config white = new ModelInversion.Config(steps, 0.1, 100, 0.99, 1e-3);
        ModelInversion.Config query = new ModelInversion.Config(querySteps, 0.1, querySteps, 0.99, 1e-2);
        double scale = Math.pow(10, round);
        Classifier released = new BlackBoxModel(cnn.copy()::predictProbabilities, 10, cnn.inputShape(), cnn.domain());
        MultiLayerNetworkModel forRounding = cnn.copy();
        Classifier rounded = new BlackBoxModel(x -> Transforms.round(forRounding.predictProbabilities(x).muli(scale))
                .divi(scale), 10, cnn.inputShape(), cnn.domain());
        List<String[]> runs = List.of(new String[] {"cnn-white-box", "bundled CNN, white-box"},
                new String[] {"dp-cnn-white-box", "DP-SGD CNN, white-box"},
                new String[] {"cnn-query-only", "bundled CNN, probabilities only"},
                new String[] {"cnn-rounded-" + round, "bundled CNN, probabilities rounded to " + round + " decimals"});
        List<List<BufferedImage>> sheet = new ArrayList<>();
        for (String[] run : runs) {
            long t0 = System.nanoTime();
            ModelInversion.Result res = switch (run[0]) {
                case "cnn-white-box" -> ModelInversion.whiteBox(cnn).with(white).invert(CLASSES);
                case "dp-cnn-white-box" -> ModelInversion.whiteBox(dp).with(white).invert(CLASSES);
                case "cnn-query-only" -> ModelInversion.queryOnly(released).with(query).invert(CLASSES);
                default -> ModelInversion.queryOnly(rounded).with(query).invert(CLASSES);
            };
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<ModelInversion.Similarity> sim = ModelInversion.similarity(res, train);
            List<BufferedImage> images = new ArrayList<>();
            int nearestOwn = 0;
            double cosine = 0;
            for (int k = 0; k < CLASSES.length; k++) {
                ModelInversion.Inversion inv = res.inversions().get(k);
                Path png = out.resolve(run[0]).resolve("class-" + k + "-"
                        + FashionMnist.CLASS_NAMES[k].toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", "-") + ".png");
                Images.writePng(inv.image(), 0, 1, png);
                images.add(Images.toImage(inv.image().castTo(DataType.FLOAT).dup('c').data().asFloat(),
                        ReferenceModels.INPUT_SHAPE, 0, 1));
                nearestOwn += sim.get(k).nearestClass() == k ? 1 : 0;
                cosine += sim.get(k).cosine() / CLASSES.length;
            }
            sheet.add(images);
            System.out.printf(Locale.ROOT, "| %s | %.3f | %s | %.3f | %d of 10 | %,d | %.0f s |%n", run[1],
                    res.meanConfidence(), confidences(res), cosine, nearestOwn, res.queries(), seconds);
        }
        writeSheet(sheet, out.resolve("sheet.png"));
        System.out.println("PNGs in " + out.toAbsolutePath());
        return 0;
    }

    private static String confidences(ModelInversion.Result r) {
        StringBuilder b = new StringBuilder();
        for (ModelInversion.Inversion inv : r.inversions()) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", inv.confidence()));
        }
        return b.toString();
    }

    /** One row per run, one column per class, each image scaled 4x. */
    private static void writeSheet(List<List<BufferedImage>> rows, Path file) throws java.io.IOException {
        int cell = 28 * 4 + 4;
        BufferedImage sheet = new BufferedImage(cell * CLASSES.length, cell * rows.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < rows.get(r).size(); c++) {
                g.drawImage(rows.get(r).get(c), c * cell + 2, r * cell + 2, 28 * 4, 28 * 4, null);
            }
        }
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(sheet, "png", file.toFile());
    }
}
