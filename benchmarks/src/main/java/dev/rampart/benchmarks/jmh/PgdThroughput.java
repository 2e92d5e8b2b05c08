package dev.rampart.benchmarks.jmh;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.onnx.OnnxClassifier;
import dev.rampart.core.model.onnx.OnnxWriter;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PGD-20 throughput in image-steps per second on the reference CNN and MLP (as DL4J networks, and
 * written to ONNX and translated back: the translated model's cost), batch 256, the
 * yardstick of {@code ../shared/peer/pgd_peer.py}: L-inf, epsilon 0.1, step 0.01, no random start,
 * random weights (throughput does not depend on them), Fashion-MNIST test images.
 *
 * <ul>
 *   <li>{@code steps}: the bare loop the peer times (gradient, sign step, projection, clipping).</li>
 *   <li>{@code attack}: {@link Pgd#run} as users call it, with its input checks and the clean and
 *       final predictions.</li>
 *   <li>{@code dl4jCalculateGradients}: the bare loop on DL4J's {@code calculateGradients}, the
 *       baseline.</li>
 * </ul>
 *
 * Run with {@code benchmarks/run-pgd-benchmark.sh}, which also runs the peer right after.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=6G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=10G"})
public class PgdThroughput {

    static final int BATCH = 256;
    static final int STEPS = 20;
    static final double EPS = 0.1;
    static final double ALPHA = 0.01;

    /** {@code cnn} and {@code mlp} as DL4J networks; {@code cnn-onnx} and {@code mlp-onnx} the same
     * networks written to ONNX and translated back ({@link OnnxClassifier}). */
    @Param({"cnn", "mlp", "cnn-onnx", "mlp-onnx"})
    public String model;

    private MultiLayerNetwork network;
    private GradientClassifier classifier;
    private GradientClassifier unchecked;
    private Pgd pgd;
    private INDArray x;
    private int[] labels;
    private INDArray oneHot;

    @Setup
    public void setup() throws Exception {
        MultiLayerNetwork net = model.startsWith("cnn") ? ReferenceModels.cnn(0) : ReferenceModels.mlp(0);
        network = net;
        if (model.endsWith("-onnx")) {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("rampart-pgd", ".onnx");
            OnnxWriter.write(net, ReferenceModels.INPUT_SHAPE, file);
            classifier = OnnxClassifier.load(file, InputDomain.UNIT);
            java.nio.file.Files.delete(file);
        } else {
            classifier = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        }
        unchecked = classifier.unchecked();
        x = FashionMnist.bundledTest().head(BATCH).features();
        SplittableRandom rnd = Seeds.random(0);
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = rnd.nextInt(10);
        }
        oneHot = Labels.oneHot(labels, 10);
        pgd = Pgd.builder(classifier).norm(Norm.LINF).epsilon(EPS).stepSize(ALPHA).steps(STEPS).randomStart(false)
                .batchSize(BATCH).build();
    }

    /**
     * The peer's loop, step for step, written as Rampart's PGD writes it: temporaries in a
     * workspace, projection and clipping as one clamp to precomputed bounds.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH * STEPS)
    public INDArray steps() {
        INDArray adv = x.dup();
        INDArray lower = Transforms.max(x.sub(EPS), 0.0, false);
        INDArray upper = Transforms.min(x.add(EPS), 1.0, false);
        for (int s = 0; s < STEPS; s++) {
            try (MemoryWorkspace ws = Workspaces.loop()) {
                INDArray g = unchecked.lossGradient(adv, oneHot);
                adv.addi(Transforms.sign(g, false).muli(ALPHA));
                Transforms.min(Transforms.max(adv, lower, false), upper, false);
            }
        }
        Nd4j.getExecutioner().commit(); // waits for the GPU on CUDA; no-op on CPU
        return adv;
    }

    /**
     * The same loop on DL4J's own {@code calculateGradients}: the baseline Rampart replaces (it
     * runs in training mode and computes every parameter gradient too).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH * STEPS)
    public INDArray dl4jCalculateGradients() {
        INDArray adv = x.dup();
        for (int s = 0; s < STEPS; s++) {
            INDArray g = network.calculateGradients(adv, oneHot, null, null).getSecond();
            adv.addi(Transforms.sign(g, false).muli(ALPHA));
            INDArray delta = Transforms.min(Transforms.max(adv.subi(x), -EPS, false), EPS, false);
            adv = Transforms.min(Transforms.max(delta.addi(x), 0.0, false), 1.0, false);
        }
        Nd4j.getExecutioner().commit();
        return adv;
    }

    /** The attack as users run it. */
    @Benchmark
    @OperationsPerInvocation(BATCH * STEPS)
    public EvasionResult attack() {
        EvasionResult r = pgd.run(x, labels);
        Nd4j.getExecutioner().commit();
        return r;
    }
}
