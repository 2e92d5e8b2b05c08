package dev.rampart.core.model.dl4j;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.deeplearning4j.nn.api.Layer;

/** Small networks with dropout and batch normalization, in double precision for gradient checks. */
final class TestNetworks {

    private TestNetworks() {
    }

    static NeuralNetConfiguration.Builder base(long seed, DataType type) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(type).updater(new Sgd(0.01));
    }

    /** conv - BN - relu - maxpool - conv(same) - avgpool - dropout dense - BN - tanh - softmax; input [n,2,8,8]. */
    static MultiLayerNetwork cnn(long seed, DataType type, boolean logStd) {
        MultiLayerConfiguration conf = base(seed, type).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().useLogStd(logStd).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {1, 1}).build())
                .layer(new ConvolutionLayer.Builder(2, 2).convolutionMode(ConvolutionMode.Same).nOut(3)
                        .activation(Activation.SOFTPLUS).dropOut(0.5).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {2, 2}, new int[] {2, 2}).build())
                .layer(new DropoutLayer.Builder(0.6).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.IDENTITY).dropOut(0.7).build())
                .layer(new BatchNormalization.Builder().useLogStd(logStd).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        randomizeStatistics(net.getLayers(), seed);
        return net;
    }

    /** Stride-2 convolutions on a 9x9 input (the last row and column are dropped), leaky ReLU. */
    static MultiLayerNetwork strided(long seed, DataType type) {
        MultiLayerConfiguration conf = base(seed, type).list()
                .layer(new ConvolutionLayer.Builder(2, 2).stride(2, 2).nOut(3).activation(Activation.LEAKYRELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nOut(2)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2})
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** dense - BN - dropout - dense - softmax on [n, 6]. */
    static MultiLayerNetwork mlp(long seed, DataType type) {
        MultiLayerConfiguration conf = base(seed, type).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.ELU).build())
                .layer(new BatchNormalization.Builder().useLogStd(false).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        randomizeStatistics(net.getLayers(), seed);
        return net;
    }

    /** Two branches (conv+BN, conv) merged, then an add vertex, global pooling, output; input [n,1,6,6]. */
    static ComputationGraph graph(long seed, DataType type) {
        var conf = base(seed, type).graphBuilder()
                .addInputs("in")
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build(), "in")
                .addLayer("abn", new BatchNormalization.Builder().build(), "a")
                .addLayer("b", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.SIGMOID)
                        .dropOut(0.5).build(), "in")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "abn", "b")
                .addVertex("cat", new MergeVertex(), "sum", "b")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "cat")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(6, 6, 1))
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        randomizeStatistics(g.getLayers(), seed);
        return g;
    }

    /** Running statistics far from 0/1, so that a training-mode gradient would differ visibly. */
    static void randomizeStatistics(Layer[] layers, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (Layer l : layers) {
            if (l.conf().getLayer() instanceof BatchNormalization bn) {
                INDArray mean = l.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
                mean.assign(Nd4j.rand(mean.dataType(), mean.shape()).subi(0.5));
                if (bn.isUseLogStd()) {
                    INDArray s = l.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
                    s.assign(Nd4j.rand(s.dataType(), s.shape()).muli(0.6).subi(0.3));
                } else {
                    INDArray v = l.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
                    v.assign(Nd4j.rand(v.dataType(), v.shape()).addi(0.5));
                }
                INDArray gamma = l.getParam(BatchNormalizationParamInitializer.GAMMA);
                gamma.assign(Nd4j.rand(gamma.dataType(), gamma.shape()).addi(0.5));
                INDArray beta = l.getParam(BatchNormalizationParamInitializer.BETA);
                beta.assign(Nd4j.rand(beta.dataType(), beta.shape()).subi(0.5));
            }
        }
    }
}
