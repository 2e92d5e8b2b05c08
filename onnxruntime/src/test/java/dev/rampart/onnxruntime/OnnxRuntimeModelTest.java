package dev.rampart.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.onnx.OnnxClassifier;
import dev.rampart.core.model.onnx.OnnxReader;
import dev.rampart.core.model.onnx.OnnxUnsupportedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX Runtime as the independent reference for Rampart's translator on the PyTorch exports, and
 * as the black box that runs what the translator refuses (a GELU exported through Erf), with a
 * query-only attack on it and named errors for bad files and inputs.
 */
class OnnxRuntimeModelTest {

    static final Path FIXTURES = Path.of("../core/src/test/resources/onnx/fixtures");

    static Path fixture(String name) {
        Path p = FIXTURES.resolve(name);
        assertTrue(Files.isRegularFile(p), p + " is missing");
        return p;
    }

    static INDArray tensor(String name) throws IOException {
        return OnnxReader.readTensor(fixture(name)).array();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "resnet"})
    void theTranslatorPredictsAsOnnxRuntimeDoes(String name) throws IOException {
        INDArray x = tensor(name + "-input.pb").dup();
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(fixture(name + ".onnx"), InputDomain.UNIT)) {
            OnnxClassifier translated = OnnxClassifier.load(fixture(name + ".onnx"), InputDomain.UNIT);
            assertEquals(name.equals("cnn"), !ort.logitsOutput(), "a final Softmax means probabilities");
            assertEquals(10, ort.numClasses());
            INDArray reference = ort.predictProbabilities(x);
            double diff = translated.predictProbabilities(x).sub(reference).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, name + ": probabilities differ from ONNX Runtime's by " + diff);
            assertTrue(x.equals(tensor(name + "-input.pb")), "the input is not modified");
        }
    }

    @Test
    void aGraphTheTranslatorRefusesRunsAsABlackBoxUnderAQueryAttack() throws IOException {
        Path gelu = fixture("gelu-mlp.onnx");
        assertThrows(OnnxUnsupportedException.class, () -> OnnxClassifier.load(gelu, InputDomain.UNIT));
        INDArray x = tensor("cnn-input.pb");
        try (OnnxRuntimeModel model = OnnxRuntimeModel.load(gelu, InputDomain.UNIT)) {
            RuntimeException whiteBox = assertThrows(RuntimeException.class,
                    () -> dev.rampart.attacks.evasion.Pgd.builder(model));
            assertTrue(whiteBox.getMessage().contains("PGD"), whiteBox.getMessage());
            INDArray expected = Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("softmax")
                    .addInputs(tensor("gelu-mlp-output.pb")).addIntegerArguments(1).build())[0];
            INDArray p = model.predictProbabilities(x);
            assertTrue(p.equalsWithEps(expected, 1e-6), "ONNX Runtime gives PyTorch's outputs");
            int[] own = Labels.argmax(p);
            EvasionResult r = Square.builder(model).epsilon(0.3).queries(300).seed(3).build()
                    .run(x, AttackGoal.untargeted(own));
            assertTrue(r.successRate() > 0.5, "an untrained MLP falls to Square at 0.3: " + r.successRate());
            assertTrue(r.adversarial().sub(x).amaxNumber().doubleValue() <= 0.3 + 1e-6);
            assertTrue(r.gradientCalls() > 0 && r.gradientCalls() <= 16L * 301, "queries: " + r.gradientCalls());
        }
    }

    @Test
    void badFilesAndInputsAreNamed(@TempDir Path dir) throws IOException {
        Path cut = dir.resolve("cut.onnx");
        byte[] whole = Files.readAllBytes(fixture("mlp.onnx"));
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        IOException e = assertThrows(IOException.class, () -> OnnxRuntimeModel.load(cut, InputDomain.UNIT));
        assertTrue(e.getMessage().contains("cut.onnx"), e.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> OnnxRuntimeModel.load(dir.resolve("none.onnx"), InputDomain.UNIT));
        assertTrue(missing.getMessage().contains("none.onnx"), missing.getMessage());
        try (OnnxRuntimeModel model = OnnxRuntimeModel.load(fixture("mlp.onnx"), InputDomain.UNIT)) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> model.predictProbabilities(Nd4j.zeros(DataType.FLOAT, 2, 3, 28, 28)));
            assertTrue(shape.getMessage().contains("x"), shape.getMessage());
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> model.predictProbabilities(Nd4j.ones(DataType.FLOAT, 2, 1, 28, 28).muli(2)));
            assertTrue(range.getMessage().contains("x"), range.getMessage());
        }
    }
}
