package dev.rampart.benchmarks.privacy;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.privacy.DpSgd;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time per epoch of DP-SGD against standard training of the same network, same data and batch
 * size, epochs interleaved (standard, DP, standard, DP, ...) so that a noisy machine affects both;
 * prints each epoch and the ratio of the medians.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.privacy.DpSgdCost --model mlp --epochs 5
 * </pre>
 */
@Command(name = "dp-sgd-cost", mixinStandardHelpOptions = true, description = "DP-SGD's cost per epoch.")
public final class DpSgdCost implements Callable<Integer> {

    @Option(names = "--model", description = "cnn or mlp (default ${DEFAULT-VALUE})")
    String model = "mlp";
    @Option(names = "--epochs", description = "epochs of each (default ${DEFAULT-VALUE})")
    int epochs = 5;
    @Option(names = "--batch", description = "batch size, and DP-SGD's expected batch size (default ${DEFAULT-VALUE})")
    int batch = 256;
    @Option(names = "--examples", description = "bundled training examples (default ${DEFAULT-VALUE})")
    int examples = 4000;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DpSgdCost()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabeledData train = FashionMnist.bundledTrain().head(examples);
        MultiLayerNetwork standard = ReferenceModels.byName(model, 1);
        MultiLayerNetworkModel dpModel = MultiLayerNetworkModel.of(ReferenceModels.byName(model, 1),
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        DpSgd<MultiLayerNetworkModel> dp = DpSgd.builder(dpModel).clipNorm(1).noiseMultiplier(1.1)
                .expectedBatchSize(batch).epochs(1).seed(1).build();
        ShuffledBatches batches = new ShuffledBatches(train, batch, 1);
        double[] s = new double[epochs];
        double[] d = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            long t = System.nanoTime();
            batches.reset();
            while (batches.hasNext()) {
                standard.fit(batches.next());
            }
            s[e] = (System.nanoTime() - t) / 1e9;
            d[e] = dp.fit(train).epochs().get(0).seconds();
            System.out.printf(Locale.ROOT, "epoch %d  standard %.2f s  DP-SGD %.2f s%n", e + 1, s[e], d[e]);
        }
        double ms = median(s);
        double md = median(d);
        System.out.printf(Locale.ROOT, "%s, %d examples, batch %d: median standard %.2f s, DP-SGD %.2f s, ratio %.2fx%n",
                model, examples, batch, ms, md, md / ms);
        return 0;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
