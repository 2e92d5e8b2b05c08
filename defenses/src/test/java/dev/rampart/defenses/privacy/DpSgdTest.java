package dev.rampart.defenses.privacy;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.scattering.ScatterNet;
import dev.rampart.core.model.scattering.ScatteringLayer;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class DpSgdTest {

    private static MultiLayerNetworkModel tanhMlp(long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.5)).list()
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    @Test
    void theClippedSumIsTheSumOfClippedPerExampleGradients() throws IOException {
        MultiLayerNetworkModel model = tanhMlp(2);
        LabeledData d = FashionMnist.bundledTest().head(12);
        INDArray x = d.features().castTo(DataType.DOUBLE);
        INDArray y = Labels.oneHot(d.labels(), 10).castTo(DataType.DOUBLE);
        double clip = 0.5;
        DpSgd<MultiLayerNetworkModel> dp = DpSgd.builder(model).clipNorm(clip).noise(NoiseSource.seeded(1)).build();
        double[][] factors = new double[1][];
        INDArray sum = dp.clippedSum(x, y, c -> factors[0] = c);
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 1, model.parameters().length());
        int clipped = 0;
        for (int i = 0; i < 12; i++) {
            INDArray g = model.parameterGradient(x.get(NDArrayIndex.interval(i, i + 1)),
                    y.get(NDArrayIndex.interval(i, i + 1))).reshape(1, -1);
            double norm = g.norm2Number().doubleValue();
            double c = Math.min(1, clip / norm);
            assertEquals(c, factors[0][i], 1e-9, "clipping factor of example " + i);
            assertTrue(norm * c <= clip * (1 + 1e-9), "every clipped per-example gradient is within the clip norm");
            clipped += c < 1 ? 1 : 0;
            expected.addi(g.mul(c));
        }
        assertTrue(clipped > 0, "the test clips some examples");
        assertTrue(sum.equalsWithEps(expected, 1e-9), "the network's pass with soft labels gives the clipped sum");
    }

    @Test
    void trainingLearnsAndAccountsEveryStep() throws IOException {
        MultiLayerNetworkModel model = tanhMlp(3);
        LabeledData train = FashionMnist.bundledTrain().head(1200);
        LabeledData heldOut = FashionMnist.bundledTest().head(300);
        double before = dev.rampart.core.metric.Metrics.accuracy(model.predictClasses(heldOut.features()),
                heldOut.labels());
        DpSgd.PrivacyReport r = DpSgd.builder(model).clipNorm(1).noiseMultiplier(1.0).expectedBatchSize(120).epochs(3)
                .delta(1e-5).seed(5).noise(NoiseSource.seeded(5)).evaluateOn(heldOut).build().fit(train);
        assertEquals(30, r.steps());
        assertEquals(0.1, r.sampleRate(), 1e-12);
        assertEquals(RdpAccountant.epsilon(0.1, 1.0, 30, 1e-5, RdpAccountant.DEFAULT_ORDERS).epsilon(), r.epsilon(),
                1e-9, "the report's epsilon is the accountant's for the steps taken");
        double after = r.epochs().get(2).heldOutAccuracy();
        assertTrue(after > before + 0.3, "held-out accuracy " + before + " -> " + after);
        assertTrue(r.epochs().get(0).epsilon() < r.epochs().get(2).epsilon());
    }

    /**
     * ScatterNet (Tramer & Boneh 2021): the linear head learns privately from precomputed scattering
     * features, and behind the scattering layer again it classifies images exactly as it did the features.
     */
    @Test
    void aScatterNetHeadTrainsPrivatelyOnFeaturesAndComposesIntoOneNetwork() throws IOException {
        ScatteringLayer front = new ScatteringLayer(2, 8, 27);
        LabeledData images = FashionMnist.bundledTest().head(200);
        LabeledData train = ScatterNet.features(front, FashionMnist.bundledTrain().head(600));
        LabeledData heldOut = ScatterNet.features(front, images);
        MultiLayerNetwork head = ScatterNet.linearHead(front, ReferenceModels.INPUT_SHAPE, 10, 3, new Sgd(4));
        double b = front.outputBound(ReferenceModels.INPUT_SHAPE, 1);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(head, train.exampleShape(), new InputDomain(-b, b));
        DpSgd.PrivacyReport r = DpSgd.builder(model).clipNorm(0.1).noiseMultiplier(1.0).expectedBatchSize(120)
                .epochs(8).seed(5).noise(NoiseSource.seeded(5)).evaluateOn(heldOut).build().fit(train);
        double accuracy = r.epochs().get(7).heldOutAccuracy();
        assertTrue(accuracy > 0.65, "held-out accuracy " + accuracy); // 0.74 measured; chance is 0.1
        MultiLayerNetworkModel whole = MultiLayerNetworkModel.of(ScatterNet.compose(front, ReferenceModels.INPUT_SHAPE,
                head), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        assertEquals(accuracy, dev.rampart.core.metric.Metrics.accuracy(whole.predictClasses(images.features()),
                images.labels()), 1e-12);
    }

    @Test
    void aDataSetIteratorTrainsExactlyAsItsArraysDo() throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(300);
        MultiLayerNetworkModel fromArrays = tanhMlp(4);
        MultiLayerNetworkModel fromIterator = tanhMlp(4);
        DpSgd.PrivacyReport a = DpSgd.builder(fromArrays).expectedBatchSize(50).epochs(1).seed(8)
                .noise(NoiseSource.seeded(8)).build().fit(train);
        DpSgd.PrivacyReport b = DpSgd.builder(fromIterator).expectedBatchSize(50).epochs(1).seed(8)
                .noise(NoiseSource.seeded(8)).build().fit(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(new org.nd4j.linalg.dataset.DataSet(
                        train.features(), Labels.oneHot(train.labels(), 10)).asList(), 64));
        assertEquals(a.epsilon(), b.epsilon(), 0);
        assertEquals(fromArrays.parameters(), fromIterator.parameters(),
                "same examples in the same order, same seed: same parameters");
        INDArray soft = Nd4j.createFromArray(new double[][] {{0.5, 0.5, 0}}).castTo(DataType.FLOAT);
        assertMessage(() -> DpSgd.builder(tanhMlp(4)).expectedBatchSize(1).build().fit(
                new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(java.util.List.of(
                        new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 1, 1, 28, 28), soft)))),
                "example 0 of batch 0 of train has a label row that is not one-hot");
    }

    @Test
    void gradientCanariesAddTheClipNormToTheirCoordinatesAndNothingElse() throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(300);
        java.util.List<INDArray> plain = new java.util.ArrayList<>();
        java.util.List<INDArray> canaried = new java.util.ArrayList<>();
        DpSgd.PrivacyReport a = DpSgd.builder(tanhMlp(6)).clipNorm(0.5).expectedBatchSize(50).epochs(2).seed(9)
                .noise(NoiseSource.seeded(9)).onStep((t, g) -> plain.add(g.detach())).build().fit(train);
        DpSgd<MultiLayerNetworkModel> dp = DpSgd.builder(tanhMlp(6)).clipNorm(0.5).expectedBatchSize(50).epochs(2)
                .seed(9).noise(NoiseSource.seeded(9)).build();
        int[] at = {3, 100, 5000};
        DpSgd.PrivacyReport b = dp.withGradientCanaries(at, (t, g) -> canaried.add(g.detach())).fit(train);
        assertEquals(a.steps(), plain.size());
        assertEquals(12, canaried.size());
        assertEquals(a.epsilon(), b.epsilon(), 0, "canaries sampled at q are accounted as examples");
        // the first step's sums differ only at the canaries, by 0 or the clip norm each
        INDArray diff = canaried.get(0).sub(plain.get(0));
        int sampled = 0;
        for (int j : at) {
            double d = diff.getDouble(0, j);
            assertTrue(Math.abs(d) < 1e-9 || Math.abs(d - 0.5) < 1e-9, "coordinate " + j + " moved by " + d);
            sampled += Math.abs(d - 0.5) < 1e-9 ? 1 : 0;
            diff.putScalar(0, j, 0);
        }
        assertEquals(0, diff.norm2Number().doubleValue(), 1e-9);
        int total = 0;
        for (int s = 0; s < 12; s++) {
            for (int j : at) {
                total += canaried.get(s).getDouble(0, j) != plain.get(s).getDouble(0, j) ? 1 : 0;
            }
        }
        assertTrue(total > 0 && total < 3 * 12, "each canary is sampled in some steps, not all: " + total);
    }

    @Test
    void networksWithoutExactPerExampleGradientsAndBadSettingsAreRefused() {
        MultiLayerNetwork withDropout = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).dropOut(0.5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build()).build());
        withDropout.init();
        MultiLayerNetworkModel m = MultiLayerNetworkModel.of(withDropout, new long[] {4}, InputDomain.UNIT);
        LabeledData d = new LabeledData("t", Nd4j.rand(DataType.FLOAT, 6, 4), new int[] {0, 1, 2, 0, 1, 2}, 3);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> DpSgd.builder(m).expectedBatchSize(3).noise(NoiseSource.seeded(1)).build().fit(d));
        assertTrue(e.getMessage().contains("dropout"), e.getMessage());
        MultiLayerNetworkModel ok = tanhMlp(1);
        assertMessage(() -> DpSgd.builder(ok).clipNorm(0).build(), "clipNorm");
        assertMessage(() -> DpSgd.builder(ok).noiseMultiplier(-1).build(), "noiseMultiplier");
        assertMessage(() -> DpSgd.builder(ok).delta(1).build(), "delta");
        assertMessage(() -> DpSgd.builder(ok).expectedBatchSize(0).build(), "expectedBatchSize");
        assertMessage(() -> DpSgd.builder(ok).expectedBatchSize(5000).build().fit(
                new LabeledData("t", Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28), new int[] {0, 1, 2}, 10)),
                "sampling rate must be in (0, 1]");
    }
}
