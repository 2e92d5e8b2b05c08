package dev.rampart.benchmarks.jmh;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.certification.BoundPropagation;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * Bound propagation's cost against a forward pass: the margin bounds of 20 test images at L-inf
 * 0.01 by IBP, CROWN-IBP and CROWN, and the forward pass of the same 20 images, on the reference
 * CNN (bundled, trained normally) and on the strided CNN of the certified-training figures
 * (initialized; bounds cost the same whatever the weights, except CROWN, which refines only the
 * neurons interval bounds leave unstable).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main BoundPasses"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=4G"})
public class BoundPasses {

    @Param({"cnn", "strided-cnn"})
    public String model;

    private Classifier classifier;
    private INDArray x;
    private int[] labels;
    private BoundPropagation ibp;
    private BoundPropagation crownIbp;
    private BoundPropagation crown;

    @Setup
    public void setup() throws Exception {
        classifier = model.equals("cnn") ? BundledModels.referenceCnn()
                : MultiLayerNetworkModel.of(ReferenceModels.stridedCnn(1), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        LabeledData d = FashionMnist.bundledTest().head(20);
        x = d.features();
        labels = d.labels();
        ibp = BoundPropagation.builder(classifier).method(BoundPropagation.Method.IBP).build();
        crownIbp = BoundPropagation.builder(classifier).method(BoundPropagation.Method.CROWN_IBP).build();
        crown = BoundPropagation.builder(classifier).method(BoundPropagation.Method.CROWN).build();
    }

    @Benchmark
    public INDArray forward() {
        return classifier.unchecked().predictProbabilities(x);
    }

    @Benchmark
    public double[][] ibp() {
        return ibp.marginLowerBounds(x, labels, 0.01);
    }

    @Benchmark
    public double[][] crownIbp() {
        return crownIbp.marginLowerBounds(x, labels, 0.01);
    }

    @Benchmark
    public double[][] crown() {
        return crown.marginLowerBounds(x, labels, 0.01);
    }
}
