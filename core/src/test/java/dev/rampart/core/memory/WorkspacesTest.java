package dev.rampart.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Results handed out of a nested workspace keep their data type and values. ND4J 1.0.0-M2.1's own
 * {@code leverage()} copies a double array into a float-sized buffer: a double-precision model's
 * gradient inside an attack's loop crashed the JVM (SIGSEGV) before {@link Workspaces#leverage}.
 */
class WorkspacesTest {

    @Test
    void everyDataTypeLeavesANestedScopeIntact() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT, DataType.HALF, DataType.LONG}) {
            INDArray expected = Nd4j.linspace(1, 4000, 4000, DataType.DOUBLE).castTo(t).reshape(40, 100);
            for (int cycle = 0; cycle < 3; cycle++) {
                try (MemoryWorkspace loop = Workspaces.loop()) {
                    INDArray out;
                    try (MemoryWorkspace pass = Workspaces.scope(Workspaces.PASS)) {
                        out = Workspaces.leverage(expected.dup());
                    }
                    assertEquals(t, out.dataType());
                    assertEquals(expected, out, t + ", cycle " + cycle);
                }
            }
            INDArray detached;
            try (MemoryWorkspace pass = Workspaces.scope(Workspaces.PASS)) {
                detached = Workspaces.leverage(expected.dup());
            }
            assertFalse(detached.isAttached(), "with no enclosing scope the result is an ordinary array");
            assertEquals(expected, detached);
        }
    }

    @Test
    void aDoublePrecisionModelGivesTheSameGradientInsideALoop() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        LabeledData d = FashionMnist.bundledTest().head(112);
        INDArray x = d.features().castTo(DataType.DOUBLE);
        INDArray y = Labels.oneHot(d.labels(), 10);
        INDArray outside = model.lossGradient(x, y);
        for (int cycle = 0; cycle < 3; cycle++) {
            try (MemoryWorkspace loop = Workspaces.loop()) {
                INDArray inside = model.lossGradient(x, y);
                assertEquals(DataType.DOUBLE, inside.dataType());
                assertEquals(outside, inside, "cycle " + cycle);
                assertEquals(model.parameterGradientNorms(x, y).probabilities(), model.predictProbabilities(x));
            }
        }
    }
}
