package dev.rampart.core.model.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.model.InputDomain;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ActivationGradientTest {

    /** sum_k w_k a_k over a layer's activations a, for fixed random w. */
    private static LogitObjective weighted(INDArray w) {
        return a -> new LogitObjective.Value(a.mulRowVector(w).sum(1), w.broadcast(a.shape()).dup());
    }

    @Test
    void theGradientOfAnObjectiveOfHiddenActivationsMatchesFiniteDifferences() {
        Nd4j.getRandom().setSeed(3);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        net.init();
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {1, 6, 6}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 6, 6).muli(0.8).addi(0.1);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 1, 7).subi(0.5);
        LogitGradient g = model.activationGradient(x, "layer1", weighted(w));
        assertEquals(model.activations(x, "layer1"), g.logits(), "the activations are the head's logits");
        double h = 1e-6;
        for (int k = 0; k < 72; k += 5) {
            INDArray up = x.dup();
            INDArray down = x.dup();
            up.reshape(72).putScalar(k, up.reshape(72).getDouble(k) + h);
            down.reshape(72).putScalar(k, down.reshape(72).getDouble(k) - h);
            double numeric = (model.activations(up, "layer1").mulRowVector(w).sumNumber().doubleValue()
                    - model.activations(down, "layer1").mulRowVector(w).sumNumber().doubleValue()) / (2 * h);
            assertEquals(numeric, g.gradient().reshape(72).getDouble(k), 1e-6, "input value " + k);
        }
        // after training the network changes; the head follows its current parameters
        net.fit(x, Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}}));
        assertEquals(model.activations(x, "layer1"), model.activationGradient(x, "layer1", weighted(w)).logits());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> model.activationGradient(x, "layer0", weighted(w)));
        assertEquals(true, e.getMessage().contains("need a layer with [n, d] outputs"), e.getMessage());
    }
}
