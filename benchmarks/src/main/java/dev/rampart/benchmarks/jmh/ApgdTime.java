package dev.rampart.benchmarks.jmh;

import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.zoo.BundledModels;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.factory.Nd4j;
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
 * Time of one APGD-CE run (Croce &amp; Hein 2020; 100 iterations, L-inf 0.1, one random start) on
 * 256 bundled test images against the bundled PGD-trained CNN, where most examples stay robust
 * and so stay in the loop for all 100 iterations: the attack's own bookkeeping (momentum,
 * checkpoints, best points) on top of the model's gradient passes.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests install
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main ApgdTime"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G"})
public class ApgdTime {

    private Apgd apgd;
    private LabeledData data;

    @Setup
    public void setup() throws Exception {
        apgd = Apgd.builder(BundledModels.robustCnn()).epsilon(0.1).steps(100).batchSize(256).build();
        data = FashionMnist.bundledTest().head(256);
    }

    /** One APGD-CE-100 run on 256 images. */
    @Benchmark
    public EvasionResult apgdCe100() {
        EvasionResult r = apgd.run(data.features(), data.labels());
        Nd4j.getExecutioner().commit();
        return r;
    }
}
