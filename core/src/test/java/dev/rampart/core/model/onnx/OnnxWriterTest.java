package dev.rampart.core.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every reference network written to ONNX, read back by the translator, and compared with the DL4J
 * network it came from: the same logits and the same input gradients, the translator's softmax
 * stripped as for any export.
 */
class OnnxWriterTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"cnn", "mlp", "strided-cnn", "tanh-cnn"})
    void aWrittenReferenceNetworkTranslatesBackToTheSameFunction(String name) throws Exception {
        MultiLayerNetwork net = ReferenceModels.byName(name, 11);
        Path file = dir.resolve(name + ".onnx");
        OnnxWriter.write(net, ReferenceModels.INPUT_SHAPE, file);
        OnnxClassifier onnx = OnnxClassifier.load(file, InputDomain.UNIT);
        MultiLayerNetworkModel dl4j = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        assertEquals(OnnxClassifier.Output.PROBABILITIES, onnx.outputKind());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28);
        INDArray y = Labels.oneHot(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 10);
        double logits = onnx.logits(x).sub(dl4j.logits(x)).amaxNumber().doubleValue();
        INDArray g = dl4j.lossAndGradient(x, y).gradient();
        double grad = onnx.lossAndGradient(x, y).gradient().sub(g).amaxNumber().doubleValue()
                / g.amaxNumber().doubleValue();
        assertTrue(logits < 1e-5 && grad < 1e-5, name + ": logits differ by " + logits + ", gradients by " + grad);
    }

    @Test
    void aLayerOnnxCannotHoldIsNamed() {
        MultiLayerNetwork rnn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).build())
                .layer(new RnnOutputLayer.Builder().nIn(4).nOut(2).build()).build());
        rnn.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxWriter.write(rnn, new long[] {3, 5}, dir.resolve("rnn.onnx")));
        assertTrue(e.getMessage().contains("layer 0 (LSTM)"), e.getMessage());
    }
}
