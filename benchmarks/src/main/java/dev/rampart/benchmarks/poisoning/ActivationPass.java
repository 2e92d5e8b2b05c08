package dev.rampart.benchmarks.poisoning;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.poisoning.Representations;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The activation pass every representation-based poison detector starts with: the reference CNN's
 * last hidden layer (128 units) for Fashion-MNIST's 60,000 training images. Times Rampart's pass
 * ({@link Representations#of}, through the compiled inference program) against DL4J's own forward
 * pass to the same layer ({@code feedForwardToLayer}, what the pass used before), in the same
 * batches, alternating, and prints the median of the repeats of each in images per second. Its
 * peer is {@code scripts/activation-pass-peer.py} (PyTorch, the same network); run both on an idle
 * machine, one after the other.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.poisoning.ActivationPass --repeats 5
 * </pre>
 */
@Command(name = "activation-pass", mixinStandardHelpOptions = true, description = "Times the activation pass of the"
        + " poison detectors.")
public final class ActivationPass implements Callable<Integer> {

    @Option(names = "--images", description = "training images (default ${DEFAULT-VALUE})")
    int images = 60_000;
    @Option(names = "--repeats", description = "timed passes of each path (default ${DEFAULT-VALUE})")
    int repeats = 5;
    @Option(names = "--batch", description = "DL4J path's batch; Rampart's pass batches itself (default"
            + " ${DEFAULT-VALUE})")
    int batch = 512;
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);

    public static void main(String[] args) {
        System.exit(new CommandLine(new ActivationPass()).execute(args));
    }

    @Override
    public Integer call() throws java.io.IOException {
        if (images < 1 || repeats < 1 || batch < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--images, --repeats and --batch must be"
                    + " positive, found " + images + ", " + repeats + ", " + batch);
        }
        LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, images);
        MultiLayerNetwork net = ReferenceModels.cnn(7);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        String layer = Representations.lastHidden(model);
        int idx = model.layerNames().indexOf(layer);
        INDArray x = train.features();
        // warm-up, and a check that both paths agree
        INDArray ours = Representations.of(model, layer, x.get(NDArrayIndex.interval(0, 2048)));
        INDArray theirs = dl4j(net, idx, x.get(NDArrayIndex.interval(0, 2048)));
        double diff = ours.sub(theirs).amaxNumber().doubleValue();
        say("largest difference between the two paths on 2,048 images: %.2e", diff);
        double[] compiled = new double[repeats];
        double[] dl4j = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            Representations.of(model, layer, x);
            compiled[r] = x.size(0) / ((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            dl4j(net, idx, x);
            dl4j[r] = x.size(0) / ((System.nanoTime() - t0) / 1e9);
            say("repeat %d: Rampart %.0f images/s, DL4J feedForwardToLayer %.0f images/s", r + 1, compiled[r],
                    dl4j[r]);
        }
        say("%d images, %d repeats, %s threads: Rampart's pass median %.0f images/s (%.1f s), DL4J's median %.0f"
                + " images/s (%.1f s): %.2fx", x.size(0), repeats, System.getenv().getOrDefault("OMP_NUM_THREADS",
                "default"), median(compiled), x.size(0) / median(compiled), median(dl4j), x.size(0) / median(dl4j),
                median(compiled) / median(dl4j));
        return 0;
    }

    /** DL4J's forward pass to layer {@code idx} in batches, as doubles like Rampart's pass. */
    private INDArray dl4j(MultiLayerNetwork net, int idx, INDArray x) {
        long n = x.size(0);
        INDArray out = null;
        for (long from = 0; from < n; from += batch) {
            long to = Math.min(n, from + batch);
            INDArray a = net.feedForwardToLayer(idx, x.get(NDArrayIndex.interval(from, to)), false).get(idx + 1);
            if (out == null) {
                out = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n, a.size(1));
            }
            out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(a.castTo(
                    org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        }
        return out;
    }

    private static double median(double[] v) {
        return new org.apache.commons.math3.stat.descriptive.rank.Median().evaluate(v);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
