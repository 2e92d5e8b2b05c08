package dev.rampart.core.model.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Activations, training, copying and large-batch prediction of the DL4J adapters. */
class AdapterCapabilitiesTest {

    @Test
    void activationsByNameMatchDl4jInference() {
        MultiLayerNetwork net = TestNetworks.mlp(1, DataType.FLOAT);
        MultiLayerNetworkModel m = MultiLayerNetworkModel.of(net, new long[] {6}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6);
        assertEquals(4, m.layerNames().size());
        INDArray a = m.activations(x, m.layerNames().get(1));
        assertEquals(net.feedForward(x, false).get(2), a);
        assertThrows(IllegalArgumentException.class, () -> m.activations(x, "nope"));

        ComputationGraph g = TestNetworks.graph(2, DataType.FLOAT);
        ComputationGraphModel gm = ComputationGraphModel.of(g, new long[] {1, 6, 6}, InputDomain.UNIT);
        INDArray xg = Nd4j.rand(DataType.FLOAT, 3, 1, 6, 6);
        assertArrayEquals(new long[] {3, 6, 4, 4}, gm.activations(xg, "cat").shape());
    }

    @Test
    void fitChangesTheModelAndCopiesAreIndependent() {
        MultiLayerNetworkModel m = MultiLayerNetworkModel.of(TestNetworks.mlp(3, DataType.FLOAT), new long[] {6},
                InputDomain.UNIT);
        MultiLayerNetworkModel copy = m.copy();
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 6);
        INDArray y = Labels.oneHot(new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 3);
        INDArray before = m.predictProbabilities(x);
        assertEquals(before, copy.predictProbabilities(x));
        copy.fit(x, y);
        assertNotEquals(before, copy.predictProbabilities(x), "training changes the copy");
        assertEquals(before, m.predictProbabilities(x), "and leaves the original alone");
        // the compiled program follows the trained parameters
        assertTrue(copy.predictProbabilities(x).equalsWithEps(copy.network().output(x, false), 1e-5));
    }

    @Test
    void predictionsOfLargeInputsAreBatched() {
        MultiLayerNetwork net = TestNetworks.mlp(4, DataType.FLOAT);
        MultiLayerNetworkModel m = MultiLayerNetworkModel.of(net, new long[] {6}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.FLOAT, Dl4jModel.PREDICT_BATCH * 2 + 7, 6);
        assertTrue(m.predictProbabilities(x).equalsWithEps(net.output(x, false), 1e-5));
    }

    @Test
    void blackBoxChecksWhatItsFunctionReturns() {
        BlackBoxModel ok = new BlackBoxModel(x -> Nd4j.ones(DataType.FLOAT, x.size(0), 3).divi(3), 3, new long[] {2},
                InputDomain.UNIT);
        assertArrayEquals(new long[] {4, 3}, ok.predictProbabilities(Nd4j.rand(DataType.FLOAT, 4, 2)).shape());
        BlackBoxModel bad = new BlackBoxModel(x -> Nd4j.ones(DataType.FLOAT, 1, 3), 3, new long[] {2},
                InputDomain.UNIT);
        assertThrows(IllegalStateException.class, () -> bad.predictProbabilities(Nd4j.rand(DataType.FLOAT, 4, 2)));
        assertThrows(IllegalArgumentException.class, () -> new BlackBoxModel(x -> x, 1, new long[] {2},
                InputDomain.UNIT));
        assertThrows(IllegalArgumentException.class, () -> new InputDomain(1, 0));
    }
}
