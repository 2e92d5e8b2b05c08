package dev.rampart.attacks.evaluation;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;

class AutoAttackTest {

    private final MultiLayerNetworkModel model = Fixtures.trainedCnn();

    /**
     * Half-precision input: the worst case is assembled in the model's precision, so that it keeps
     * the budget the attacks kept (in half precision, x + 0.1 rounds up to 2.4e-4 past the ball).
     */
    @Test
    void halfPrecisionInputGetsResultsInTheModelsPrecisionInsideTheBall() {
        LabeledData d = Fixtures.testSample(24);
        org.nd4j.linalg.api.ndarray.INDArray half = d.features().castTo(org.nd4j.linalg.api.buffer.DataType.HALF);
        RobustnessReport r = AutoAttack.builder(model).epsilon(0.1).apgdSteps(5).targetClasses(1).squareQueries(20)
                .maskingChecks(false).seed(1).build().evaluate(half, d.labels());
        assertEquals(model.dataType(), r.worstCase().dataType());
        double[] norms = Norm.LINF.perExample(r.worstCase().sub(half.castTo(model.dataType())));
        for (int i = 0; i < norms.length; i++) {
            assertTrue(norms[i] <= 0.1 * (1 + 1e-6), "example " + i + ": " + norms[i]);
        }
        assertTrue(r.robustAccuracy() < r.cleanAccuracy(), "the attacks still work");
    }

    @Test
    void ensembleKeepsTheWorstCaseAndRaisesNoWarningOnAnHonestModel() {
        LabeledData d = Fixtures.testSample(100);
        RobustnessReport r = AutoAttack.builder(model).epsilon(0.05).apgdSteps(20).targetClasses(3)
                .squareQueries(300).checkSamples(100).seed(1).build().evaluate(d.features(), d.labels());
        EvasionResult pgd = Pgd.builder(model).epsilon(0.05).steps(20).seed(1).build().run(d.features(), d.labels());
        assertTrue(r.robustAccuracy() <= pgd.robustAccuracy(), r.robustAccuracy() + " vs PGD " + pgd.robustAccuracy());
        assertEquals("1.0.0-M2.1", r.provenance().nd4jVersion(), "the report says how it was made");
        assertEquals(1, r.seed());
        assertEquals(List.of("APGD-CE-20", "APGD-T-20", "Square-300"),
                r.steps().stream().map(RobustnessReport.Step::attack).toList());
        double previous = r.cleanAccuracy();
        for (RobustnessReport.Step s : r.steps()) {
            assertTrue(s.robustAccuracyAfter() <= previous);
            previous = s.robustAccuracyAfter();
        }
        assertEquals(previous, r.robustAccuracy(), 1e-12);
        int[] predicted = model.predictClasses(r.worstCase());
        int[] labels = d.labels();
        for (int i = 0; i < d.size(); i++) {
            if (r.robust()[i]) {
                assertEquals(labels[i], predicted[i]);
            } else {
                assertNotEquals(labels[i], predicted[i], "example " + i + " broken by " + r.brokenBy()[i]);
            }
        }
        double[] norms = Norm.LINF.perExample(r.worstCase().sub(d.features()));
        for (double v : norms) {
            assertTrue(v <= 0.05 * (1 + 1e-5));
        }
        assertEquals(List.of(), r.warnings(), "the trained CNN does not mask its gradients");
    }

    @Test
    void maskedGradientsAreFlagged() {
        GradientClassifier masked = binarizingCnn();
        LabeledData d = Fixtures.testSample(100);
        EvasionResult clean = Fgsm.builder(masked).epsilon(0.01).build().run(d.features(), d.labels());
        assertTrue(clean.cleanAccuracy() > 0.5, "the binarized model still classifies: " + clean.cleanAccuracy());
        RobustnessReport r = AutoAttack.builder(masked).epsilon(0.1).apgdSteps(20).targetClasses(3)
                .squareQueries(500).checkSamples(100).seed(1).build().evaluate(d.features(), d.labels());
        List<MaskingWarning.Check> fired = r.warnings().stream().map(MaskingWarning::check).toList();
        assertTrue(fired.contains(MaskingWarning.Check.BLACK_BOX_BEATS_WHITE_BOX), r.warnings().toString());
        assertTrue(fired.contains(MaskingWarning.Check.LARGE_EPSILON_NOT_BROKEN), r.warnings().toString());
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> AutoAttack.builder(model).epsilon(-0.1).build(), "epsilon");
        assertMessage(() -> AutoAttack.builder(model).attacks(List.of()).build(), "attacks");
        assertMessage(() -> AutoAttack.builder(model).epsilon(0.1)
                .attacks(List.of(Pgd.builder(model).epsilon(0.2).build())).build(), "epsilon 0.2");
        assertMessage(() -> AutoAttack.builder(model).squareQueries(-1).build(), "squareQueries");
        assertMessage(() -> AutoAttack.builder(model).apgdSteps(0).build(), "apgdSteps must be positive, found 0");
        assertMessage(() -> AutoAttack.builder(model).batchSize(0).build(), "batchSize");
        // out-of-range target counts are refused, never clamped or dropped
        assertMessage(() -> AutoAttack.builder(model).targetClasses(10).build(), "targetClasses must be in [0, 9]");
        assertMessage(() -> AutoAttack.builder(model).targetClasses(-1).build(), "found -1");
        assertEquals(2, AutoAttack.builder(model).targetClasses(0).build().attacks().size(), "0: no APGD-T");
        assertEquals("APGD-T-100", AutoAttack.builder(model).build().attacks().get(1).name());
        assertMessage(() -> AutoAttack.builder(Fixtures.blackBox(model)).squareQueries(0).build(), "no attack");
        assertMessage(() -> AutoAttack.builder(model).build().evaluate(Fixtures.testSample(3).features(),
                new int[] {1, 2}), "labels");
    }

    /**
     * The trained CNN behind a saturated input layer that binarizes every pixel at 0.5
     * ({@code (tanh(10^4 (x - 0.5)) + 1) / 2}): its input gradient vanishes almost everywhere, a
     * textbook case of masked gradients.
     */
    static GradientClassifier binarizingCnn() {
        MultiLayerNetwork reference = Fixtures.trainedCnn().network();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(1).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(1).activation(Activation.IDENTITY).build());
        for (org.deeplearning4j.nn.conf.NeuralNetConfiguration c : reference.getLayerWiseConfigurations().getConfs()) {
            Layer layer = c.getLayer().clone();
            list.layer(layer);
        }
        MultiLayerConfiguration conf = list.setInputType(InputType.convolutional(28, 28, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.valueArrayOf(new long[] {1, 1, 1, 1}, 1e4f));
        net.getLayer(0).setParam("b", Nd4j.valueArrayOf(new long[] {1, 1}, -0.5e4f));
        net.getLayer(1).setParam("W", Nd4j.valueArrayOf(new long[] {1, 1, 1, 1}, 0.5f));
        net.getLayer(1).setParam("b", Nd4j.valueArrayOf(new long[] {1, 1}, 0.5f));
        for (int k = 0; k < reference.getnLayers(); k++) {
            if (reference.getLayer(k).numParams() > 0) {
                net.getLayer(k + 2).setParams(reference.getLayer(k).params().dup());
            }
        }
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }
}
