package dev.rampart.benchmarks.jmh;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.defenses.extraction.Prada;
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
 * PRADA's cost per query in its steady state: one client that has sent the 2,000 bundled test
 * images four times (its growing sets hold every image they admitted, at most 500 per class, and
 * its window 1,000 distances), so that every observed query pays a nearest-neighbour search over
 * its class's stored queries and a Shapiro-Wilk test of 1,000 values. The queries are the 2,000 bundled test images in turn, with the victim's answers
 * computed once beforehand (the victim's own cost is not PRADA's).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks exec:exec -Dexec.executable=java -Dexec.args="-cp %classpath org.openjdk.jmh.Main PradaMonitor"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=2G"})
public class PradaMonitor {

    private Prada prada;
    private INDArray[] queries;
    private int[][] answers;
    private int next;

    @Setup
    public void setup() throws Exception {
        var victim = BundledModels.referenceCnn();
        LabeledData test = FashionMnist.bundledTest();
        int[] top = victim.predictClasses(test.features());
        queries = new INDArray[test.size()];
        answers = new int[test.size()][];
        for (int i = 0; i < test.size(); i++) {
            queries[i] = Rows.gather(test.features(), new int[] {i});
            answers[i] = new int[] {top[i]};
        }
        prada = Prada.builder(victim).threshold(0.01).build();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < queries.length; i++) {
                prada.observe("client", queries[i].add(round * 1e-3), answers[i]);
            }
        }
    }

    @Benchmark
    public Prada.Alarm observe() {
        int i = next;
        next = (next + 1) % queries.length;
        return prada.observe("client", queries[i], answers[i]);
    }
}
