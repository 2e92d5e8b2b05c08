package dev.rampart.core.model;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class StandardizedTest {

    private static final double[] MEAN = {0.4, 0.5, 0.3};
    private static final double[] STD = {0.2, 0.25, 0.3};

    private static MultiLayerNetworkModel network() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(6, 6, 3)).build());
        net.init();
        return MultiLayerNetworkModel.of(net, new long[] {3, 6, 6}, new InputDomain(-5, 5));
    }

    @Test
    void standardizedDomainHoldsPixelsStandardizedInFloat() {
        INDArray pixels = Nd4j.createFromArray(new float[] {0f, 1f, 0.5f}).reshape(3, 1);
        INDArray z = pixels.sub(0.2860).divi(0.3530);
        InputDomain d = Standardized.standardizedDomain(new double[] {0.2860}, new double[] {0.3530}, InputDomain.UNIT);
        Inputs.checkFiniteInDomain(z, d, "z");
        assertEquals(-0.2860 / 0.3530, d.min(), 1e-6);
        assertEquals(0.7140 / 0.3530, d.max(), 1e-6);
    }

    @Test
    void theModelSeesStandardizedPixelsAndGradientsAreInPixelSpace() {
        MultiLayerNetworkModel inner = network();
        Standardized model = Standardized.of(inner, MEAN, STD, InputDomain.UNIT);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 6, 6);
        INDArray z = x.dup();
        for (int c = 0; c < 3; c++) {
            z.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c))
                    .subi(MEAN[c]).divi(STD[c]);
        }
        assertTrue(model.predictProbabilities(x).equalsWithEps(inner.predictProbabilities(z), 1e-12));
        INDArray y = Labels.oneHot(new int[] {1, 4}, 5).castTo(DataType.DOUBLE);
        LossAndGradient lg = model.lossAndGradient(x, y);
        // central differences of the loss through the standardizing step
        double h = 1e-6;
        INDArray flat = x.reshape(x.length());
        for (long i = 0; i < x.length(); i += 17) {
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + h);
            double plus = model.lossAndGradient(x, y).loss().sumNumber().doubleValue();
            flat.putScalar(i, orig - h);
            double minus = model.lossAndGradient(x, y).loss().sumNumber().doubleValue();
            flat.putScalar(i, orig);
            assertEquals((plus - minus) / (2 * h), lg.gradient().reshape(x.length()).getDouble(i), 1e-6);
        }
        assertEquals(InputDomain.UNIT, model.domain(), "attacks clip to the pixel domain");
    }

    @Test
    void badStatisticsAreRefusedByName() {
        MultiLayerNetworkModel inner = network();
        assertMessage(() -> Standardized.of(inner, new double[] {0.5}, new double[] {1}, InputDomain.UNIT),
                "one value per channel (3");
        assertMessage(() -> Standardized.of(inner, MEAN, new double[] {0.2, 0, 0.3}, InputDomain.UNIT), "std[1]");
        assertMessage(() -> Standardized.of(inner, MEAN, new double[] {0.01, 0.2, 0.3}, InputDomain.UNIT),
                "outside the wrapped model's domain");
        Standardized ok = Standardized.of(inner, MEAN, STD, InputDomain.UNIT);
        assertMessage(() -> ok.predictProbabilities(Nd4j.ones(DataType.DOUBLE, 1, 3, 6, 6).muli(2)), "domain");
    }
}
