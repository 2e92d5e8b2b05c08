package dev.rampart.core.model.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The three models exported from PyTorch by {@code scripts/make-onnx-fixtures.py} (an MLP, a CNN
 * with batch normalization kept as nodes and a softmax output, a small ResNet with residual adds
 * and ReLU6), translated and compared with PyTorch's own logits, probabilities and autograd input
 * gradients on 16 test images.
 */
class OnnxFixturesTest {

    static final Path FIXTURES = Path.of("src/test/resources/onnx/fixtures");

    static INDArray tensor(String name) throws IOException {
        return OnnxReader.readTensor(FIXTURES.resolve(name)).array();
    }

    /** Largest |a - b| over max(1, |b|): a relative error that does not blow up near zero. */
    static double error(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        double[] x = a.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] y = b.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
        }
        return worst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "resnet"})
    void logitsProbabilitiesAndGradientsMatchPyTorch(String name) throws IOException {
        OnnxClassifier model = OnnxClassifier.load(FIXTURES.resolve(name + ".onnx"), InputDomain.UNIT);
        assertArrayEquals(new long[] {1, 28, 28}, model.inputShape());
        assertEquals(10, model.numClasses());
        assertEquals(name.equals("cnn") ? OnnxClassifier.Output.PROBABILITIES : OnnxClassifier.Output.LOGITS,
                model.outputKind());
        INDArray x = tensor(name + "-input.pb");
        int[] y = tensor(name + "-labels.pb").castTo(DataType.INT).toIntVector();
        double logits = error(model.logits(x), tensor(name + "-logits.pb"));
        assertTrue(logits < 1e-5, "logits differ by " + logits);
        if (name.equals("cnn")) {
            double p = error(model.predictProbabilities(x), tensor(name + "-output.pb"));
            assertTrue(p < 1e-5, "probabilities differ by " + p);
        }
        INDArray g = model.lossAndGradient(x, Labels.oneHot(y, 10)).gradient();
        INDArray expected = tensor(name + "-grad.pb");
        double scale = expected.amaxNumber().doubleValue();
        double grad = g.sub(expected).amaxNumber().doubleValue() / scale;
        System.out.printf("%s: logits %.2e, gradient %.2e of its largest value%n", name, logits, grad);
        assertTrue(grad < 1e-4, "input gradients differ by " + grad + " of the largest");
    }
}
