package dev.rampart.benchmarks.jmh;

import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.defenses.federated.Aggregator;
import dev.rampart.defenses.federated.Aggregators;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * One round of federated aggregation by each rule: 100 client updates of the reference CNN's
 * parameter count (Gaussian, seeded), as issue 26 asks (Krum and Bulyan tolerating f = 20).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main AggregationTime"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=4G"})
public class AggregationTime {

    @Param({"fedavg", "median", "trimmed-mean", "krum", "multi-krum", "bulyan", "norm-bound", "fltrust", "dp-fedavg"})
    public String rule;

    private Aggregator aggregator;
    private Aggregator.Round round;

    @Setup
    public void setup() throws Exception {
        long params = BundledModels.referenceCnn().parameters().length();
        Nd4j.getRandom().setSeed(1);
        List<INDArray> updates = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            updates.add(Nd4j.randn(DataType.FLOAT, params).muli(0.01));
        }
        double[] w = new double[100];
        java.util.Arrays.fill(w, 1);
        round = new Aggregator.Round(updates, w, Nd4j.randn(DataType.FLOAT, params).muli(0.01));
        aggregator = Aggregators.named(rule, new Aggregators.Settings(100, 20, 0.2, 0.5, rule.equals("dp-fedavg") ? 1.0
                : 0.001, 1));
    }

    @Benchmark
    public Aggregator.Result aggregate() {
        return aggregator.aggregate(round);
    }
}
