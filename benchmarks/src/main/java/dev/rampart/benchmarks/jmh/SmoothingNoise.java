package dev.rampart.benchmarks.jmh;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.defenses.certification.RandomizedSmoothing;
import dev.rampart.defenses.certification.SmoothingCertificates;
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
 * Randomized smoothing's inner loop: one image certified with {@code n0 = 100} and {@code n =
 * 10,000} noisy copies in batches of 1,000 (10,100 copies drawn, clipped and classified) against
 * the bare forward passes of the same 10,100 images, on the bundled reference CNN. The ratio is
 * the cost of the noise, the clipping and the counting; divide 10,100 by the time for noise
 * batches per second.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main SmoothingNoise"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G"})
public class SmoothingNoise {

    @Param({"1000"})
    public int batch;

    private Classifier model;
    private RandomizedSmoothing smoothing;
    private INDArray image;
    private INDArray copies;

    @Setup
    public void setup() throws Exception {
        model = BundledModels.referenceCnn();
        image = FashionMnist.bundledTest().features().get(NDArrayIndex.interval(0, 1)).dup();
        smoothing = RandomizedSmoothing.builder(model).sigma(0.25).n0(100).n(10_000).batchSize(batch).seed(1).build();
        copies = image.repeat(0, batch).addi(Nd4j.randn(image.dataType(), batch, 1, 28, 28).muli(0.25));
        model.domain().clipInPlace(copies);
    }

    @Benchmark
    public SmoothingCertificates certifyOneImage() {
        return smoothing.certify(image);
    }

    @Benchmark
    public int forwardPassesOnly() {
        int s = 0;
        Classifier fast = model.unchecked();
        for (int done = 0; done < 10_100; done += batch) {
            int b = Math.min(batch, 10_100 - done);
            s += fast.predictClasses(b == batch ? copies : copies.get(NDArrayIndex.interval(0, b)))[0];
        }
        return s;
    }
}
