package dev.rampart.benchmarks.jmh;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.onnx.OnnxClassifier;
import dev.rampart.core.model.onnx.OnnxModel;
import dev.rampart.core.model.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * How long an ONNX file takes to become an attackable model: {@code read} parses the file,
 * {@code translate} turns the parsed graph into an {@link OnnxClassifier} (including the probe
 * that finds the number of classes), {@code load} does both, as {@code ./rampart audit} does. The
 * file is a parameter; the yardstick is a ResNet-18, which
 * {@code scripts/make-resnet18-onnx.py} writes:
 *
 * <pre>
 * /usr/bin/python3 scripts/make-resnet18-onnx.py /tmp/resnet18
 * java -cp ... org.openjdk.jmh.Main OnnxTranslationTime -p file=/tmp/resnet18/resnet18.onnx
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 9)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=4G"})
public class OnnxTranslationTime {

    @Param({"/tmp/resnet18/resnet18.onnx"})
    public String file;

    private OnnxModel parsed;

    @Setup
    public void setup() throws Exception {
        parsed = OnnxReader.read(Path.of(file));
    }

    @Benchmark
    public OnnxModel read() throws Exception {
        return OnnxReader.read(Path.of(file));
    }

    @Benchmark
    public OnnxClassifier translate() throws Exception {
        return OnnxClassifier.of(parsed, OnnxClassifier.Options.of(InputDomain.UNIT));
    }

    @Benchmark
    public OnnxClassifier load() throws Exception {
        return OnnxClassifier.load(Path.of(file), InputDomain.UNIT);
    }
}
