package dev.rampart.core.model.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Per-example gradient norms from one batched pass against one backward pass per example. */
class PerExampleGradientsTest {

    /** conv (strided, same padding), tanh, max pool, conv, relu, dense, softmax: in double precision. */
    static MultiLayerNetwork cnn(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(4)
                        .activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(9, 9, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void batchedNormsEqualOneBackwardPassPerExample() {
        // kernel 2 with "same" padding pads one side only (an odd total): the layout must match conv2d's
        for (ConvolutionMode mode : new ConvolutionMode[] {ConvolutionMode.Truncate, ConvolutionMode.Same}) {
            for (int stride : new int[] {1, 2}) {
              for (int kernel : new int[] {3, 2}) {
                MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.DOUBLE)
                        .list().layer(new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).convolutionMode(mode)
                                .nOut(3).activation(Activation.TANH).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                                .activation(Activation.SOFTMAX).build())
                        .setInputType(InputType.convolutional(9, 9, 2)).build();
                MultiLayerNetwork one = new MultiLayerNetwork(conf);
                one.init();
                check(one);
              }
            }
        }
        check(cnn(3));
    }

    private static void check(MultiLayerNetwork net) {
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {2, 9, 9}, InputDomain.UNIT);
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 2, 9, 9);
        INDArray y = Labels.oneHot(new int[] {0, 1, 2, 3, 1, 2}, 4).castTo(DataType.DOUBLE);
        double[] norms = model.parameterGradientNorms(x, y).norms();
        assertTrue(model.predictProbabilities(x).equalsWithEps(model.parameterGradientNorms(x, y).probabilities(), 1e-12));
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, 1, net.numParams());
        INDArray clipped = Nd4j.zeros(DataType.DOUBLE, 1, net.numParams());
        double clip = java.util.Arrays.stream(norms).sorted().toArray()[3]; // some examples clipped, some not
        MultiLayerNetwork probe = net.clone();
        for (int i = 0; i < 6; i++) {
            probe.setInput(x.get(NDArrayIndex.interval(i, i + 1)));
            probe.setLabels(y.get(NDArrayIndex.interval(i, i + 1)));
            probe.computeGradientAndScore();
            INDArray g = probe.getGradientsViewArray();
            assertEquals(g.norm2Number().doubleValue(), norms[i], 1e-9 * Math.max(1, norms[i]), "example " + i + " of "
                    + net.getLayerWiseConfigurations().getConf(0).getLayer());
            sum.addi(g);
            clipped.addi(g.mul(Math.min(1, clip / norms[i])));
        }
        INDArray batched = model.parameterGradient(x, y);
        assertTrue(batched.equalsWithEps(sum, 1e-9), "the summed gradient is the sum of the examples'");
        assertTrue(model.clipsInOnePass(), "dense and convolution stages keep their per-example gradients");
        var one = model.clippedGradient(x, y, clip);
        assertTrue(one.sum().equalsWithEps(clipped, 1e-9), "the one-pass clipped sum is the sum of clipped gradients");
        assertArrayEquals(norms, one.norms(), 1e-12);
        assertEquals(1.0, one.factors()[java.util.stream.IntStream.range(0, 6).reduce((a, b) -> norms[a] < norms[b] ? a
                : b).getAsInt()], 0);
        assertEquals(net.params(), probe.params(), "taking gradients does not train");
    }

    @Test
    void applyingAGradientTakesTheUpdatersStep() {
        MultiLayerNetwork net = cnn(5);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {2, 9, 9}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 2, 9, 9);
        INDArray y = Labels.oneHot(new int[] {0, 1, 2, 3}, 4).castTo(DataType.DOUBLE);
        INDArray g = model.parameterGradient(x, y);
        INDArray before = net.params().dup();
        int iteration = net.getIterationCount();
        model.applyGradient(g, 8);
        // plain SGD at 0.1: the step is lr * gradient / batchSize
        INDArray step = before.sub(net.params().reshape(before.shape()));
        assertTrue(step.equalsWithEps(g.reshape(before.shape()).mul(0.1 / 8), 1e-12),
                "ratio " + step.getDouble(0) / g.getDouble(0) + " " + step.getDouble(5) / g.getDouble(5));
        assertEquals(iteration + 1, net.getIterationCount());
        assertThrows(IllegalArgumentException.class, () -> model.applyGradient(g.reshape(-1).get(NDArrayIndex.interval(0, 3)), 8));
        assertThrows(IllegalArgumentException.class, () -> model.applyGradient(g, 0));
    }

    @Test
    void layersWithoutExactPerExampleGradientsAreRefusedByName() {
        MultiLayerNetworkModel bn = MultiLayerNetworkModel.of(TestNetworks.mlp(1, DataType.DOUBLE), new long[] {6},
                InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 6);
        INDArray y = Labels.oneHot(new int[] {0, 1, 2}, 3).castTo(DataType.DOUBLE);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> bn.parameterGradientNorms(x, y));
        assertTrue(e.getMessage().contains("dropout") || e.getMessage().contains("batch normalization"), e.getMessage());
    }

    /**
     * A gradient taken and applied through the model follows the network's own fit step for step,
     * with a stateful updater (Adam): the updater's moments survive between steps, for
     * MultiLayerNetwork (whose clear() used to drop them) and ComputationGraph alike.
     */
    @Test
    void applyingTheTakenGradientFollowsFitWithAdam() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.DOUBLE)
                .updater(new org.nd4j.linalg.learning.config.Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork byFit = new MultiLayerNetwork(conf);
        byFit.init();
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(byFit.clone(), new long[] {5},
                InputDomain.UNIT);
        org.deeplearning4j.nn.graph.ComputationGraph graphByFit = byFit.toComputationGraph();
        ComputationGraphModel graph = ComputationGraphModel.of(byFit.toComputationGraph(), new long[] {5},
                InputDomain.UNIT);
        Nd4j.getRandom().setSeed(5);
        for (int step = 0; step < 4; step++) {
            INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 5);
            INDArray y = Labels.oneHot(new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 3);
            model.applyGradient(model.parameterGradient(x, y), 8);
            graph.applyGradient(graph.parameterGradient(x, y), 8);
            byFit.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
            graphByFit.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
            assertEquals(0, model.parameters().sub(byFit.params()).amaxNumber().doubleValue(), 1e-12, "step " + step);
            assertEquals(0, graph.parameters().sub(graphByFit.params()).amaxNumber().doubleValue(), 1e-12,
                    "graph step " + step);
        }
    }
}
