package dev.rampart.core.model;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.samediff.SameDiffModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The checked contract of the model-level API, on every adapter: bad values of {@code x} and label
 * rows that are not distributions are refused by name, other floating-point types are converted,
 * and nothing passed in is modified.
 */
class ModelContractTest {

    static Stream<GradientClassifier> models() {
        MultiLayerNetwork net = ReferenceModels.mlp(3);
        return Stream.of(MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT),
                ComputationGraphModel.of(net.toComputationGraph(), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT),
                SameDiffModel.of(sameDiff(), "input", "logits", ReferenceModels.INPUT_SHAPE, InputDomain.UNIT));
    }

    /** A dense layer on flattened 28x28 inputs. */
    static SameDiff sameDiff() {
        Nd4j.getRandom().setSeed(2);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.FLOAT, -1, 1, 28, 28);
        SDVariable w = sd.var("w", Nd4j.randn(DataType.FLOAT, 784, 10).muli(0.05));
        in.reshape(-1, 784).mmul("logits", w);
        return sd;
    }

    private static INDArray batch() {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28);
    }

    private static INDArray labels() {
        return Labels.oneHot(new int[] {1, 0, 9}, 10);
    }

    /** Every query of the model-level API on {@code x}, with valid labels. */
    private static List<Consumer<INDArray>> queries(GradientClassifier m) {
        return List.of(m::predictProbabilities, m::predictClasses, m::logits, x -> m.lossAndGradient(x, labels()),
                x -> m.logitGradient(x, LogitObjectives.crossEntropy(new int[] {1, 0, 9})));
    }

    @ParameterizedTest
    @MethodSource("models")
    void nanInfiniteAndOutOfDomainInputsAreRefusedByName(GradientClassifier m) {
        for (Consumer<INDArray> q : queries(m)) {
            INDArray nan = batch();
            nan.putScalar(new long[] {1, 0, 3, 4}, Float.NaN);
            assertMessage(() -> q.accept(nan), "x contains 1 NaN");
            INDArray inf = batch();
            inf.putScalar(new long[] {2, 0, 0, 0}, Float.NEGATIVE_INFINITY);
            assertMessage(() -> q.accept(inf), "x contains 0 NaN and 1 infinite");
            INDArray outside = batch();
            outside.putScalar(new long[] {0, 0, 27, 27}, 1.01f);
            assertMessage(() -> q.accept(outside), "outside the model's input domain");
            assertMessage(() -> q.accept(Nd4j.zeros(DataType.INT32, 3, 1, 28, 28)), "floating-point");
            assertMessage(() -> q.accept(Nd4j.zeros(DataType.FLOAT, 3, 28, 28)), "x must have shape [n, 1, 28, 28]");
            assertMessage(() -> q.accept(null), "x must not be null");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void labelRowsMustBeDistributions(GradientClassifier m) {
        INDArray x = batch();
        INDArray twoHot = labels();
        twoHot.putScalar(0, 3, 1f);
        assertMessage(() -> m.lossAndGradient(x, twoHot), "oneHotLabels row 0 sums to 2.0");
        INDArray negative = labels();
        negative.putScalar(1, 2, -0.5f);
        negative.putScalar(1, 0, 1.5f);
        assertMessage(() -> m.lossAndGradient(x, negative), "oneHotLabels[1, 2] is -0.5");
        INDArray nan = labels();
        nan.putScalar(2, 9, Float.NaN);
        assertMessage(() -> m.lossAndGradient(x, nan), "oneHotLabels[2, 9] is NaN");
        assertMessage(() -> m.lossAndGradient(x, Nd4j.zeros(DataType.FLOAT, 3, 10)), "sums to 0.0");
        assertMessage(() -> m.lossAndGradient(x, Nd4j.zeros(DataType.FLOAT, 2, 10)), "oneHotLabels must have shape");
        INDArray soft = Nd4j.ones(DataType.FLOAT, 3, 10).divi(10);
        assertEquals(3, m.lossAndGradient(x, soft).loss().length(), "probability rows are labels too");
    }

    @ParameterizedTest
    @MethodSource("models")
    void otherFloatTypesAreConvertedAndInputsUntouched(GradientClassifier m) {
        INDArray x = batch();
        INDArray copy = x.dup();
        INDArray expected = m.predictProbabilities(x);
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.HALF, DataType.BFLOAT16}) {
            INDArray xt = x.castTo(t);
            INDArray before = xt.dup();
            INDArray p = m.predictProbabilities(xt);
            assertEquals(DataType.FLOAT, p.dataType());
            double tolerance = t == DataType.DOUBLE ? 1e-6 : 2e-2;
            assertTrue(p.equalsWithEps(expected, tolerance), t + ": " + p + " vs " + expected);
            assertEquals(before, xt, "x of type " + t + " must not be modified");
            LossAndGradient lg = m.lossAndGradient(xt, labels().castTo(DataType.DOUBLE));
            assertEquals(DataType.FLOAT, lg.gradient().dataType());
        }
        assertEquals(copy, x);
    }

    @ParameterizedTest
    @MethodSource("models")
    void theUncheckedViewSkipsOnlyTheValueScans(GradientClassifier m) {
        GradientClassifier u = m.unchecked();
        assertSame(u, u.unchecked());
        INDArray x = batch();
        assertEquals(m.predictProbabilities(x), u.predictProbabilities(x));
        INDArray outside = x.dup().muli(1.5);
        assertEquals(3, u.predictClasses(outside).length, "the caller vouches for the values");
        assertMessage(() -> u.predictProbabilities(Nd4j.zeros(DataType.FLOAT, 3, 784)), "x must have shape");
        assertMessage(() -> u.lossAndGradient(x, Nd4j.zeros(DataType.FLOAT, 3, 4)), "oneHotLabels must have shape");
    }

    @Test
    void activationsAndTrainingCheckTheirInputsToo() {
        MultiLayerNetworkModel m = MultiLayerNetworkModel.of(ReferenceModels.mlp(4), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        INDArray nan = batch();
        nan.putScalar(0, Float.NaN);
        INDArray params = m.parameters().dup();
        assertMessage(() -> m.activations(nan, m.layerNames().get(0)), "NaN");
        assertMessage(() -> m.fit(nan, labels()), "NaN");
        INDArray bad = labels().muli(2);
        assertMessage(() -> m.fit(batch(), bad), "sums to 2.0");
        assertEquals(params, m.parameters(), "a refused batch must not train the model");
    }

    @Test
    void blackBoxesCheckInputsAndWhatTheirFunctionReturns() {
        BlackBoxModel nanOut = new BlackBoxModel(x -> Nd4j.valueArrayOf(new long[] {x.size(0), 10}, Float.NaN), 10,
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> nanOut.predictProbabilities(batch()));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        INDArray outside = batch().addi(1);
        assertMessage(() -> nanOut.predictProbabilities(outside), "outside the model's input domain");
    }
}
