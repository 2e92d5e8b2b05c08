package dev.rampart.benchmarks.jmh;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.defenses.poisoning.ActivationClustering;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.Representations;
import dev.rampart.defenses.poisoning.SpectralSignatures;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The inner loops of the data-level poison detectors on one class of 4,000 examples (the bundled
 * training images, all labelled 0) and the bundled reference CNN: the activation extraction
 * (the dense layer's 128 values per image, in batches), and each detector's whole per-class work
 * on top of it (spectral signatures: centring and the top singular vector; activation clustering:
 * PCA to 10 dimensions, 2-means and the silhouette on a 1,500-point sample). The detectors' cost
 * on a full data set is the sum over its classes.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main DetectorInnerLoops"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G"})
public class DetectorInnerLoops {

    private MultiLayerNetworkModel model;
    private LabeledData oneClass;
    private String layer;

    @Setup
    public void setup() throws Exception {
        model = BundledModels.referenceCnn();
        LabeledData train = FashionMnist.bundledTrain();
        oneClass = new LabeledData("one class", train.features(), new int[train.size()], 10);
        layer = Representations.lastHidden(model);
    }

    @Benchmark
    public INDArray activations() {
        return Representations.of(model, layer, oneClass.features());
    }

    @Benchmark
    public PoisonReport spectralSignatures() {
        return SpectralSignatures.builder(model).expectedPoisonRate(0.05).build().detect(oneClass);
    }

    @Benchmark
    public PoisonReport activationClustering() {
        return ActivationClustering.builder(model).seed(1).build().detect(oneClass);
    }
}
