package dev.rampart.benchmarks.jmh;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-example gradient step of DP-SGD on a batch of 256 bundled training images, for each
 * reference network: the per-example gradient norms in one batched pass
 * ({@link PerExampleGradients#parameterGradientNorms}), the batch's summed parameter gradient
 * (DL4J's own pass, which gave the clipped sum before it came from the norms' pass), DP-SGD's
 * whole clipped sum ({@link PerExampleGradients#clippedGradient}), and, for scale, the naive way:
 * one backward pass per example.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests install
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main PerExampleStep"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G"})
public class PerExampleStep {

    @Param({"mlp", "cnn", "tanh-cnn"})
    public String model;

    private MultiLayerNetworkModel net;
    private INDArray x;
    private INDArray y;

    @Setup
    public void setup() throws Exception {
        LabeledData d = FashionMnist.bundledTrain().head(256);
        net = MultiLayerNetworkModel.of(ReferenceModels.byName(model, 1), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        x = d.features();
        y = Labels.oneHot(d.labels(), 10);
    }

    /** Per-example gradient norms and probabilities of 256 examples, one batched pass. */
    @Benchmark
    public double[] perExampleNorms() {
        double[] n = net.parameterGradientNorms(x, y).norms();
        Nd4j.getExecutioner().commit();
        return n;
    }

    /** The summed parameter gradient of 256 examples (DL4J's own backward pass). */
    @Benchmark
    public INDArray summedGradient() {
        INDArray g = net.parameterGradient(x, y);
        Nd4j.getExecutioner().commit();
        return g;
    }

    /**
     * DP-SGD's whole clipped sum of 256 examples as it trains: norms, factors and the sum from one
     * pass of the compiled program (each dense and convolution stage keeps its per-example gradients).
     */
    @Benchmark
    public INDArray clippedGradient() {
        INDArray g = net.clippedGradient(x, y, 1.0).sum();
        Nd4j.getExecutioner().commit();
        return g;
    }

    /** The naive per-example norms: 256 backward passes of one example each. */
    @Benchmark
    public double naiveNorms() {
        double s = 0;
        for (int i = 0; i < 256; i++) {
            s += net.parameterGradient(x.get(NDArrayIndex.interval(i, i + 1)), y.get(NDArrayIndex.interval(i, i + 1)))
                    .norm2Number().doubleValue();
        }
        return s;
    }
}
