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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Activations, training, copying and large-batch prediction of the DL4J adapters. */
class AdapterCapabilitiesTest {

    @Test
    void aNetworkThatCannotTakeTheInputShapeIsRefusedWhereItIsWrapped() {
        MultiLayerNetwork cnn = TestNetworks.cnn(1, DataType.FLOAT, false);
        IllegalArgumentException dense = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNetworkModel.of(cnn, new long[] {2, 6, 6}, InputDomain.UNIT));
        assertTrue(dense.getMessage().contains("shape [2, 6, 6] (72 values): layer 'layer6' takes 12 values, and 3")
                && dense.getMessage().contains("reach it"), dense.getMessage());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNetworkModel.of(cnn, new long[] {3, 8, 8}, InputDomain.UNIT));
        assertTrue(channels.getMessage().contains("layer 'layer0' takes 2 channels, and 3 reach it"), channels.getMessage());
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNetworkModel.of(TestNetworks.mlp(1, DataType.FLOAT), new long[] {5}, InputDomain.UNIT));
        assertTrue(flat.getMessage().contains("layer 'layer0' takes 6 values, and 5 reach it"), flat.getMessage());
        ComputationGraph g = TestNetworks.graph(1, DataType.FLOAT);
        IllegalArgumentException graph = assertThrows(IllegalArgumentException.class,
                () -> ComputationGraphModel.of(g, new long[] {2, 6, 6}, InputDomain.UNIT));
        assertTrue(graph.getMessage().contains("layer 'a' takes 1 channels, and 2 reach it"), graph.getMessage());
        // the check propagates shapes through a copy: the user's configuration keeps its sizes
        assertEquals(1, ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) ((org.deeplearning4j.nn.conf.graph
                .LayerVertex) g.getConfiguration().getVertices().get("a")).getLayerConf().getLayer()).getNIn());
        // global pooling takes any image size: a larger one is not refused
        assertEquals(2, ComputationGraphModel.of(TestNetworks.graph(1, DataType.FLOAT), new long[] {1, 9, 9},
                InputDomain.UNIT).predictClasses(Nd4j.rand(DataType.FLOAT, 2, 1, 9, 9)).length);
        assertEquals(5, MultiLayerNetworkModel.of(cnn, new long[] {2, 8, 8}, InputDomain.UNIT).numClasses());
    }

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

    /**
     * Every hidden layer's activations, now computed by the compiled program where it holds the
     * layer's output, equal DL4J's inference-mode forward pass: batch normalization with running
     * statistics, dropout skipped, and the layer whose ReLU the program moved behind max pooling
     * (layer 1 of the strided network) answered by DL4J itself.
     */
    @Test
    void everyHiddenLayersActivationsMatchDl4jInference() {
        Nd4j.getRandom().setSeed(11);
        List<MultiLayerNetwork> nets = List.of(TestNetworks.cnn(5, DataType.FLOAT, false),
                TestNetworks.cnn(6, DataType.DOUBLE, true), TestNetworks.strided(7, DataType.FLOAT),
                TestNetworks.mlp(8, DataType.FLOAT));
        List<long[]> shapes = List.of(new long[] {2, 8, 8}, new long[] {2, 8, 8}, new long[] {1, 9, 9},
                new long[] {6});
        for (int k = 0; k < nets.size(); k++) {
            MultiLayerNetwork net = nets.get(k);
            MultiLayerNetworkModel m = MultiLayerNetworkModel.of(net, shapes.get(k), InputDomain.UNIT);
            INDArray x = Nd4j.rand(net.getLayerWiseConfigurations().getDataType(),
                    prepend(7, shapes.get(k)));
            List<INDArray> dl4j = net.feedForward(x, false);
            // the compiled program answers for the first layer; for the strided net's ReLU before pooling, DL4J
            assertTrue(m.compiledActivations(x, m.layerNames().get(0)) != null, "network " + k);
            assertEquals(k == 2, m.compiledActivations(x, m.layerNames().get(1)) == null, "network " + k);
            for (int i = 0; i < m.layerNames().size() - 1; i++) {
                INDArray a = m.activations(x, m.layerNames().get(i));
                assertTrue(a.equalsWithEps(dl4j.get(i + 1), 1e-5), "network " + k + ", layer " + i);
            }
        }
        ComputationGraph g = TestNetworks.graph(9, DataType.FLOAT);
        ComputationGraphModel gm = ComputationGraphModel.of(g, new long[] {1, 6, 6}, InputDomain.UNIT);
        INDArray xg = Nd4j.rand(DataType.FLOAT, 5, 1, 6, 6);
        java.util.Map<String, INDArray> ff = g.feedForward(xg, false);
        for (String name : List.of("a", "abn", "b", "sum", "cat", "pool")) {
            assertTrue(gm.activations(xg, name).equalsWithEps(ff.get(name), 1e-5), "vertex " + name);
        }
    }

    private static long[] prepend(long first, long[] rest) {
        long[] out = new long[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
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
