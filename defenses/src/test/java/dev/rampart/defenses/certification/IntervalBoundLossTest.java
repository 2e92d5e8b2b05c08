package dev.rampart.defenses.certification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
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
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** IBP's robust loss: its gradient against finite differences, its margins against the verifier's. */
class IntervalBoundLossTest {

    private static MultiLayerNetworkModel network(boolean convolutional, long seed) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).list();
        if (convolutional) {
            b.layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(3).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(1, 1).build());
        }
        b.layer(new DenseLayer.Builder().nOut(7).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(convolutional ? InputType.convolutional(9, 9, 1) : InputType.feedForward(6));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        Nd4j.getRandom().setSeed(seed);
        net.params().assign(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.5));
        return MultiLayerNetworkModel.of(net, convolutional ? new long[] {1, 9, 9} : new long[] {6}, InputDomain.UNIT);
    }

    private static INDArray inputs(MultiLayerNetworkModel model, int n, long seed) {
        long[] shape = new long[model.inputShape().length + 1];
        shape[0] = n;
        System.arraycopy(model.inputShape(), 0, shape, 1, model.inputShape().length);
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape);
    }

    /** Strided convolution, ReLU, dense: no max pooling, for CROWN-IBP. */
    private static MultiLayerNetworkModel stridedNetwork(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(3).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(seed);
        net.params().assign(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.5));
        return MultiLayerNetworkModel.of(net, new long[] {1, 9, 9}, InputDomain.UNIT);
    }

    @Test
    void theCrownIbpGradientMatchesFiniteDifferences() {
        for (double weight : new double[] {1.0, 0.4}) {
            assertGradient(stridedNetwork(12), weight, "strided cnn, CROWN weight " + weight);
            assertGradient(network(false, 13), weight, "mlp, CROWN weight " + weight);
        }
    }

    @Test
    void crownIbpMarginsAreSoundAndTighterThanIntervals() {
        MultiLayerNetworkModel model = stridedNetwork(14);
        INDArray x = inputs(model, 40, 15);
        int[] labels = model.predictClasses(x);
        IntervalBoundLoss loss = new IntervalBoundLoss(model);
        for (double eps : new double[] {0.005, 0.02, 0.05}) {
            double crown = loss.lossAndGradient(x, labels, eps, 1.0).verified();
            double ibp = loss.lossAndGradient(x, labels, eps, 0.0).verified();
            double unbroken = dev.rampart.attacks.evasion.Pgd.builder(model).epsilon(eps).steps(40).restarts(2).seed(16)
                    .build().run(x, labels).robustAccuracy();
            assertTrue(crown <= unbroken, "eps " + eps + ": CROWN-IBP verifies " + crown + ", PGD leaves " + unbroken);
            assertTrue(crown >= ibp, "eps " + eps + ": CROWN-IBP " + crown + " below IBP " + ibp);
            double crownLoss = loss.lossAndGradient(x, labels, eps, 1.0).loss();
            double ibpLoss = loss.lossAndGradient(x, labels, eps, 0.0).loss();
            assertTrue(crownLoss <= ibpLoss + 1e-9, "eps " + eps + ": tighter margins, smaller robust loss");
        }
        MultiLayerNetworkModel pooled = network(true, 17);
        UnboundedStageException e = assertThrows(UnboundedStageException.class, () -> new IntervalBoundLoss(pooled)
                .lossAndGradient(inputs(pooled, 2, 1), new int[] {0, 1}, 0.1, 0.5));
        assertTrue(e.getMessage().contains("maxpool"), e.getMessage());
    }

    private static void assertGradient(MultiLayerNetworkModel model, double crownWeight, String what) {
        IntervalBoundLoss ibp = new IntervalBoundLoss(model);
        INDArray x = inputs(model, 6, 4);
        int[] labels = {0, 1, 2, 3, 1, 2};
        double eps = 0.05;
        IntervalBoundLoss.Result r = ibp.lossAndGradient(x, labels, eps, crownWeight);
        INDArray params = model.parameters();
        Random rng = new Random(5);
        double h = 1e-6;
        for (int t = 0; t < 30; t++) {
            int k = rng.nextInt((int) params.length());
            double v = params.getDouble(k);
            params.putScalar(k, v + h);
            double up = ibp.lossAndGradient(x, labels, eps, crownWeight).loss();
            params.putScalar(k, v - h);
            double down = ibp.lossAndGradient(x, labels, eps, crownWeight).loss();
            params.putScalar(k, v);
            double numeric = (up - down) / (2 * h) * labels.length;
            assertEquals(numeric, r.gradient().getDouble(k), 1e-5 * Math.max(1, Math.abs(numeric)),
                    what + ": parameter " + k);
        }
    }

    @Test
    void theGradientMatchesFiniteDifferences() {
        for (boolean conv : new boolean[] {false, true}) {
            MultiLayerNetworkModel model = network(conv, 3);
            IntervalBoundLoss ibp = new IntervalBoundLoss(model);
            INDArray x = inputs(model, 6, 4);
            int[] labels = {0, 1, 2, 3, 1, 2};
            double eps = 0.05;
            IntervalBoundLoss.Result r = ibp.lossAndGradient(x, labels, eps);
            INDArray params = model.parameters();
            Random rng = new Random(5);
            double h = 1e-6;
            int n = labels.length;
            for (int t = 0; t < 40; t++) {
                int k = rng.nextInt((int) params.length());
                double v = params.getDouble(k);
                params.putScalar(k, v + h);
                double up = ibp.lossAndGradient(x, labels, eps).loss();
                params.putScalar(k, v - h);
                double down = ibp.lossAndGradient(x, labels, eps).loss();
                params.putScalar(k, v);
                double numeric = (up - down) / (2 * h) * n;   // the gradient is of the sum
                double analytic = r.gradient().getDouble(k);
                assertEquals(numeric, analytic, 1e-5 * Math.max(1, Math.abs(numeric)),
                        (conv ? "cnn" : "mlp") + " parameter " + k);
            }
        }
    }

    @Test
    void elidedMarginsVerifyAtLeastWhatPlainIntervalsDo() {
        MultiLayerNetworkModel model = network(false, 7);
        INDArray x = inputs(model, 200, 8);
        int[] labels = model.predictClasses(x);
        for (double eps : new double[] {0.0, 0.01, 0.03, 0.1}) {
            double verified = new IntervalBoundLoss(model).lossAndGradient(x, labels, eps).verified();
            BoundCertificates ibp = BoundPropagation.builder(model).method(BoundPropagation.Method.IBP).build()
                    .certify(x, labels, eps);
            double unbroken = eps == 0 ? 1.0 : dev.rampart.attacks.evasion.Pgd.builder(model).epsilon(eps).steps(40)
                    .restarts(2).seed(11).build().run(x, labels).robustAccuracy();
            assertTrue(verified >= ibp.verifiedAccuracy(0), "eps " + eps + ": " + verified + " < IBP's "
                    + ibp.verifiedAccuracy(0));
            assertTrue(verified <= unbroken, "eps " + eps + ": verified " + verified + " but PGD leaves only "
                    + unbroken + " unbroken");
        }
        assertEquals(1.0, new IntervalBoundLoss(model).lossAndGradient(x, labels, 0).verified(), 1e-12);
    }

    @Test
    void badModelsAndInputsAreRefusedByName() {
        MultiLayerNetworkModel model = network(false, 9);
        IntervalBoundLoss ibp = new IntervalBoundLoss(model);
        INDArray x = inputs(model, 2, 10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ibp.lossAndGradient(x, new int[] {0, 1},
                Double.NaN)).getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ibp.lossAndGradient(x, new int[] {0, 7}, 0.1))
                .getMessage().contains("labels"));
        MultiLayerConfiguration bn = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(bn);
        net.init();
        MultiLayerNetworkModel withBn = MultiLayerNetworkModel.of(net, new long[] {4}, InputDomain.UNIT);
        UnboundedStageException e = assertThrows(UnboundedStageException.class, () -> new IntervalBoundLoss(withBn));
        assertTrue(e.getMessage().contains("batchnorm"), e.getMessage());
    }
}
