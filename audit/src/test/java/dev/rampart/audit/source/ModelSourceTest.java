package dev.rampart.audit.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Standardized;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras models written by {@code scripts/make-model-fixtures.py} (the Keras 2 HDF5 layout, with
 * expected outputs computed by numpy, independently of DL4J), imported and checked against them.
 */
class ModelSourceTest {

    @TempDir
    Path dir;

    static Path fixture(String name) throws Exception {
        return Paths.get(ModelSourceTest.class.getResource("/models/" + name).toURI());
    }

    static JsonNode expected(String name) throws Exception {
        return new ObjectMapper().readTree(fixture("expected.json").toFile()).get(name);
    }

    static INDArray array(JsonNode n) {
        return Nd4j.createFromArray(new ObjectMapper().convertValue(n, double[][].class)).castTo(DataType.FLOAT);
    }

    @Test
    void aKerasSequentialModelBecomesAMultiLayerNetworkWithTheSameOutputs() throws Exception {
        JsonNode e = expected("keras-sequential-mlp.h5");
        ModelSource.Loaded m = ModelSource.load(fixture("keras-sequential-mlp.h5").toString(),
                new InputOptions(null, false, new InputDomain(0, 1), null, null), new long[] {12});
        assertTrue(m.model() instanceof MultiLayerNetworkModel);
        INDArray p = m.model().predictProbabilities(array(e.get("inputs")));
        assertTrue(p.equalsWithEps(array(e.get("probabilities")), 1e-5), p + " vs " + e.get("probabilities"));
        // its softmax head became a cross-entropy output: gradients exist and attacks run
        EvasionResult r = Pgd.builder(m.model()).epsilon(0.3).steps(5).build().run(array(e.get("inputs")),
                new int[] {0, 1, 2, 0});
        assertEquals(4, r.size());
    }

    @Test
    void aKerasFunctionalChannelsLastModelBecomesAGraph() throws Exception {
        JsonNode e = expected("keras-functional-cnn.h5");
        double[][][][] x = new ObjectMapper().convertValue(e.get("inputs"), double[][][][].class);
        INDArray nhwc = Nd4j.createFromArray(x).castTo(DataType.FLOAT);              // [n, 8, 8, 1] as Keras takes it
        ModelSource.Loaded m = ModelSource.load(fixture("keras-functional-cnn.h5").toString(),
                new InputOptions(null, true, InputDomain.UNIT, null, null), new long[] {1, 8, 8});
        assertTrue(m.model() instanceof ComputationGraphModel);
        assertArrayEquals(new long[] {8, 8, 1}, m.model().inputShape(), "channels last: [h, w, c]");
        INDArray p = m.model().predictProbabilities(nhwc);
        assertTrue(p.equalsWithEps(array(e.get("probabilities")), 1e-5), p + " vs " + e.get("probabilities"));
        assertEquals(3, m.gradientModel().lossGradient(nhwc, dev.rampart.core.model.Labels.oneHot(new int[] {0, 1, 2}, 3))
                .size(0));
    }

    @Test
    void standardizationWrapsTheModelInPixelSpace() throws Exception {
        ModelSource.Loaded m = ModelSource.load("standard", new InputOptions(null, false, InputDomain.UNIT,
                new double[] {0.286}, new double[] {0.353}), new long[] {1, 28, 28});
        assertTrue(m.model() instanceof Standardized);
        assertEquals(InputDomain.UNIT, m.model().domain());
    }

    /** The ONNX models exported from PyTorch by scripts/make-onnx-fixtures.py, kept with core's tests. */
    static Path onnxFixture(String name) {
        Path p = Path.of("../core/src/test/resources/onnx/fixtures", name);
        assertTrue(Files.isRegularFile(p), p + " is missing");
        return p;
    }

    @Test
    void onnxModelsAreTranslatedOrRunAsBlackBoxes() throws Exception {
        ModelSource.Loaded m = ModelSource.load(onnxFixture("cnn.onnx").toString(), InputOptions.DEFAULT,
                new long[] {1, 28, 28});
        assertTrue(m.description().contains("ONNX, white-box"), m.description());
        INDArray x = dev.rampart.core.model.onnx.OnnxReader.readTensor(onnxFixture("cnn-input.pb")).array();
        INDArray expected = dev.rampart.core.model.onnx.OnnxReader.readTensor(onnxFixture("cnn-output.pb")).array();
        assertTrue(m.model().predictProbabilities(x).equalsWithEps(expected, 1e-5));
        ModelSource.Loaded gelu = ModelSource.load(onnxFixture("gelu-mlp.onnx").toString(), InputOptions.DEFAULT,
                new long[] {1, 28, 28});
        assertTrue(!gelu.whiteBox() && gelu.description().contains("black-box through ONNX Runtime, because node"
                + " '/Erf' (Erf) at opset 13"), gelu.description());
        assertEquals(10, gelu.model().predictProbabilities(x).size(1));
        IllegalArgumentException noGradients = assertThrows(IllegalArgumentException.class, gelu::gradientModel);
        assertTrue(noGradients.getMessage().contains("query-only"), noGradients.getMessage());
    }

    @Test
    void unknownFormatsAndShapesAreNamed() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Files.write(onnx, new byte[] {8, 7, 18, 4});
        IOException e = assertThrows(IOException.class, () -> ModelSource.load(onnx.toString(), InputOptions.DEFAULT,
                new long[] {1, 28, 28}));
        assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> ModelSource.load("robust",
                InputOptions.DEFAULT, new long[] {3, 32, 32}));
        assertTrue(shape.getMessage().contains("takes [1, 28, 28]"), shape.getMessage());
        Path h5 = dir.resolve("broken.h5");
        byte[] good = Files.readAllBytes(fixture("keras-sequential-mlp.h5"));
        Files.write(h5, java.util.Arrays.copyOf(good, good.length / 3));
        IOException cut = assertThrows(IOException.class, () -> ModelSource.load(h5.toString(), InputOptions.DEFAULT,
                new long[] {12}));
        assertTrue(cut.getMessage().contains("broken.h5"), cut.getMessage());
    }
}
