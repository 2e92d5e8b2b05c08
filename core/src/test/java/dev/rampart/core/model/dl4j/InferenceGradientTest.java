package dev.rampart.core.model.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.LossAndGradient;
import java.util.Random;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The compiled program must give the gradient of the loss of the model as it predicts
 * ({@code output(x, false)}), checked against central finite differences of that loss, and
 * must leave the network's parameters untouched.
 */
class InferenceGradientTest {

    private static final double H = 1e-6;

    @Test
    void cnnWithBatchNormAndDropoutMatchesFiniteDifferences() {
        MultiLayerNetwork net = TestNetworks.cnn(11, DataType.DOUBLE, true);
        checkAgainstFiniteDifferences(MultiLayerNetworkModel.of(net, new long[] {2, 8, 8}, InputDomain.UNIT),
                x -> net.output(x, false), 12);
    }

    @Test
    void cnnWithVarianceParameterisedBatchNorm() {
        MultiLayerNetwork net = TestNetworks.cnn(12, DataType.DOUBLE, false);
        checkAgainstFiniteDifferences(MultiLayerNetworkModel.of(net, new long[] {2, 8, 8}, InputDomain.UNIT),
                x -> net.output(x, false), 12);
    }

    @Test
    void referenceCnnMatchesFiniteDifferences() {
        MultiLayerNetwork net = dev.rampart.core.model.zoo.ReferenceModels.cnn(21);
        MultiLayerNetwork dbl = net.convertDataType(DataType.DOUBLE);
        checkAgainstFiniteDifferences(MultiLayerNetworkModel.of(dbl, new long[] {1, 28, 28}, InputDomain.UNIT),
                x -> dbl.output(x, false), 16);
    }

    @Test
    void stridedReferenceCnnWithSamePaddingMatchesFiniteDifferences() {
        MultiLayerNetwork dbl = dev.rampart.core.model.zoo.ReferenceModels.stridedCnn(23).convertDataType(DataType.DOUBLE);
        checkAgainstFiniteDifferences(MultiLayerNetworkModel.of(dbl, new long[] {1, 28, 28}, InputDomain.UNIT),
                x -> dbl.output(x, false), 16);
    }

    @Test
    void stridedConvolutionThatDropsInputRowsMatchesFiniteDifferences() {
        MultiLayerNetwork net = TestNetworks.strided(22, DataType.DOUBLE);
        checkAgainstFiniteDifferences(MultiLayerNetworkModel.of(net, new long[] {1, 9, 9}, InputDomain.UNIT),
                x -> net.output(x, false), 12);
    }

    @Test
    void mlpWithBatchNormAndDropoutMatchesFiniteDifferences() {
        MultiLayerNetwork net = TestNetworks.mlp(13, DataType.DOUBLE);
        checkAgainstFiniteDifferences(MultiLayerNetworkModel.of(net, new long[] {6}, InputDomain.UNIT),
                x -> net.output(x, false), 12);
    }

    @Test
    void computationGraphMatchesFiniteDifferences() {
        ComputationGraph g = TestNetworks.graph(14, DataType.DOUBLE);
        checkAgainstFiniteDifferences(ComputationGraphModel.of(g, new long[] {1, 6, 6}, InputDomain.UNIT),
                x -> g.outputSingle(false, x), 12);
    }

    @Test
    void gradientsLeaveParametersUnchangedAndAreDeterministic() {
        MultiLayerNetwork net = TestNetworks.cnn(15, DataType.FLOAT, true);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {2, 8, 8}, InputDomain.UNIT);
        INDArray before = net.params().dup();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 2, 8, 8);
        INDArray xCopy = x.dup();
        INDArray y = Labels.oneHot(new int[] {0, 1, 2, 3}, 5);
        INDArray g1 = model.lossGradient(x, y);
        INDArray g2 = model.lossGradient(x, y);
        assertEquals(g1, g2, "dropout must be off: two calls give the same gradient");
        assertEquals(before, net.params(), "parameters and running statistics must not change");
        assertEquals(xCopy, x, "the input must not be modified");
    }

    @Test
    void rowOfBatchGradientEqualsSingleExampleGradient() {
        MultiLayerNetwork net = TestNetworks.cnn(16, DataType.DOUBLE, true);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {2, 8, 8}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 8, 8);
        INDArray y = Labels.oneHot(new int[] {4, 1, 2}, 5);
        INDArray batch = model.lossGradient(x, y);
        INDArray single = model.lossGradient(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)),
                y.getRow(1, true));
        assertTrue(batch.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).equalsWithEps(single, 1e-10));
    }

    @Test
    void predictionsEqualDl4jInferenceOutput() {
        MultiLayerNetwork net = TestNetworks.cnn(17, DataType.FLOAT, true);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {2, 8, 8}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 9, 2, 8, 8);
        assertTrue(model.predictProbabilities(x).equalsWithEps(net.output(x, false), 1e-5));
        MultiLayerNetwork mlp = TestNetworks.mlp(19, DataType.FLOAT);
        INDArray xm = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray pm = MultiLayerNetworkModel.of(mlp, new long[] {6}, InputDomain.UNIT).predictProbabilities(xm);
        assertTrue(pm.equalsWithEps(mlp.output(xm, false), 1e-5), pm + " vs " + mlp.output(xm, false));
        ComputationGraph g = TestNetworks.graph(18, DataType.FLOAT);
        ComputationGraphModel gm = ComputationGraphModel.of(g, new long[] {1, 6, 6}, InputDomain.UNIT);
        INDArray xg = Nd4j.rand(DataType.FLOAT, 5, 1, 6, 6);
        assertTrue(gm.predictProbabilities(xg).equalsWithEps(g.outputSingle(false, xg), 1e-5));
    }

    @Test
    void unsupportedLayerIsRefusedByName() {
        var conf = TestNetworks.base(1, DataType.FLOAT).list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).build())
                .layer(new RnnOutputLayer.Builder().nOut(2).activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> MultiLayerNetworkModel.of(net, new long[] {3, 5}, InputDomain.UNIT));
        assertTrue(e.getMessage().contains("LSTM") || e.getMessage().contains("RnnOutputLayer"), e.getMessage());
    }

    @Test
    void badShapesAndLabelsAreRejectedWithTheirNames() {
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(TestNetworks.mlp(3, DataType.FLOAT), new long[] {6},
                InputDomain.UNIT);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> model.predictProbabilities(Nd4j.rand(DataType.FLOAT, 2, 5)));
        assertTrue(shape.getMessage().contains("[2, 5]"), shape.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> model.lossGradient(Nd4j.rand(DataType.FLOAT, 2, 6), Labels.oneHot(new int[] {1}, 3)));
        assertTrue(labels.getMessage().contains("oneHotLabels"), labels.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> model.predictProbabilities(Nd4j.create(DataType.FLOAT, 0, 6)));
    }

    @Test
    void logitObjectivesMatchFiniteDifferencesAndCrossEntropyMatchesTheLoss() {
        MultiLayerNetwork net = TestNetworks.cnn(13, DataType.DOUBLE, true);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {2, 8, 8}, InputDomain.UNIT);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 8, 8);
        int[] y = {0, 1, 2};
        LogitGradient ce = model.logitGradient(x, LogitObjectives.crossEntropy(y));
        LossAndGradient lg = model.lossAndGradient(x, Labels.oneHot(y, model.numClasses()).castTo(DataType.DOUBLE));
        assertTrue(ce.gradient().equalsWithEps(lg.gradient(), 1e-9));
        assertTrue(ce.value().equalsWithEps(lg.loss(), 1e-9));
        assertTrue(ce.logits().equalsWithEps(model.logits(x), 1e-12));

        LogitObjective dlr = LogitObjectives.dlr(y);
        LogitGradient g = model.logitGradient(x, dlr);
        Random rnd = new Random(9);
        INDArray flat = x.reshape(x.length());
        for (int k = 0; k < 12; k++) {
            long i = rnd.nextInt((int) x.length());
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + H);
            double plus = dlr.evaluate(model.logits(x)).value().sumNumber().doubleValue();
            flat.putScalar(i, orig - H);
            double minus = dlr.evaluate(model.logits(x)).value().sumNumber().doubleValue();
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * H);
            assertEquals(numeric, g.gradient().reshape(x.length()).getDouble(i), 1e-6 + 1e-4 * Math.abs(numeric),
                    "coordinate " + i);
        }
    }

    @Test
    void theSoftmaxCrossEntropyHeadMatchesDl4jsLossEvenWhenSaturated() {
        MultiLayerNetwork net = TestNetworks.mlp(21, DataType.DOUBLE);
        net.getLayer(3).getParam("W").muli(400); // logits in the hundreds: probabilities below the clip
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {6}, InputDomain.UNIT);
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 6);
        INDArray y = Labels.oneHot(new int[] {0, 1, 2, 0, 1}, 3).castTo(DataType.DOUBLE);
        LossAndGradient lg = model.lossAndGradient(x, y);
        org.deeplearning4j.nn.conf.layers.BaseOutputLayer out =
                (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) net.getLayer(3).conf().getLayer();
        INDArray z = model.logits(x);
        INDArray reference = out.getLossFn().computeScoreArray(y, z.dup(), out.getActivationFn(), null);
        assertTrue(lg.loss().equalsWithEps(reference.reshape(5), 1e-9), lg.loss() + " vs " + reference);
        assertTrue(lg.loss().maxNumber().doubleValue() > 20, "some losses are clipped: " + lg.loss());
        INDArray gradRef = out.getLossFn().computeGradient(y, z.dup(), out.getActivationFn(), null);
        assertTrue(lg.probabilities().sub(y).equalsWithEps(gradRef, 1e-12));
    }

    /** Compares the model's gradient with central differences of the inference-mode loss. */
    private static void checkAgainstFiniteDifferences(GradientClassifier model,
            Function<INDArray, INDArray> inferenceOutput, int coordinates) {
        long[] shape = model.inputShape();
        long[] batchShape = new long[shape.length + 1];
        batchShape[0] = 3;
        System.arraycopy(shape, 0, batchShape, 1, shape.length);
        Nd4j.getRandom().setSeed(42);
        INDArray x = Nd4j.rand(DataType.DOUBLE, batchShape);
        int[] classes = {0, 1, 2};
        INDArray y = Labels.oneHot(classes, model.numClasses()).castTo(DataType.DOUBLE);
        LossAndGradient lg = model.lossAndGradient(x, y);
        assertArrayEquals(x.shape(), lg.gradient().shape());

        INDArray p = inferenceOutput.apply(x);
        INDArray lossRef = Transforms.log(p, true).mul(y).sum(1).negi();
        assertTrue(lg.loss().equalsWithEps(lossRef, 1e-9), "per-example loss " + lg.loss() + " vs " + lossRef);

        Random rnd = new Random(7);
        INDArray flatX = x.reshape(x.length());
        INDArray flatG = lg.gradient().reshape(x.length());
        double maxGrad = Transforms.abs(flatG).maxNumber().doubleValue();
        assertTrue(maxGrad > 1e-6, "gradient must not vanish");
        for (int k = 0; k < coordinates; k++) {
            long i = rnd.nextInt((int) x.length());
            double orig = flatX.getDouble(i);
            flatX.putScalar(i, orig + H);
            double plus = loss(inferenceOutput.apply(x), y);
            flatX.putScalar(i, orig - H);
            double minus = loss(inferenceOutput.apply(x), y);
            flatX.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * H);
            double analytic = flatG.getDouble(i);
            double err = Math.abs(numeric - analytic) / Math.max(1e-3 * maxGrad, Math.abs(numeric) + Math.abs(analytic));
            assertTrue(err < 1e-4, "coordinate " + i + ": numeric " + numeric + " vs analytic " + analytic);
        }
    }

    private static double loss(INDArray probabilities, INDArray y) {
        return -Transforms.log(probabilities, true).mul(y).sumNumber().doubleValue();
    }
}
