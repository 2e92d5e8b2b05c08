package dev.rampart.benchmarks.train;

import dev.rampart.benchmarks.cli.Options;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.model.zoo.ReferenceTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Trains a reference model on Fashion-MNIST and writes it as a DL4J zip. The bundled reference
 * CNN was made with the defaults on the full training set:
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.benchmarks.train.TrainReferenceModel \
 *   -Dexec.args="--model cnn --data /usr/share/datasets/fashion-mnist --out reference-cnn.zip"
 * </pre>
 *
 * Options: {@code --model cnn|mlp|strided-cnn}, {@code --data DIR} (default: the bundled sample),
 * {@code --epochs N} (5), {@code --batch N} (64), {@code --seed N} (42), {@code --out FILE}.
 */
public final class TrainReferenceModel {

    private TrainReferenceModel() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args, Set.of("--model", "--data", "--epochs", "--batch", "--seed", "--out"),
                Set.of());
        String model = o.text("--model", "cnn");
        long seed = o.longInteger("--seed", 42);
        MultiLayerNetwork net = ReferenceModels.byName(model, seed);
        String data = o.text("--data", null);
        int epochs = o.integer("--epochs", 5);
        int batch = o.integer("--batch", 64);
        Path out = Path.of(o.text("--out", "reference-cnn.zip"));
        LabeledData train = data == null ? FashionMnist.bundledTrain()
                : FashionMnist.load(Path.of(data), FashionMnist.Split.TRAIN, 0);
        LabeledData test = data == null ? FashionMnist.bundledTest()
                : FashionMnist.load(Path.of(data), FashionMnist.Split.TEST, 0);
        System.out.printf("training %s on %s (%d examples), %d epochs, batch %d, seed %d%n", model, train.name(),
                train.size(), epochs, batch, seed);
        long start = System.nanoTime();
        ReferenceTraining.train(net, train, epochs, batch, seed, epoch -> System.out.printf(
                "epoch %d done, %.0f s, test accuracy %.4f%n", epoch + 1, (System.nanoTime() - start) / 1e9,
                accuracy(net, test)));
        Files.createDirectories(out.toAbsolutePath().getParent());
        ModelSerializer.writeModel(net, out.toFile(), false);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    static double accuracy(MultiLayerNetwork net, LabeledData test) {
        int[] predicted = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT)
                .predictClasses(test.features());
        return Metrics.accuracy(predicted, test.labels());
    }
}
