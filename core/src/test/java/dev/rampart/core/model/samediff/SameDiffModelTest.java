package dev.rampart.core.model.samediff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.LossAndGradient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class SameDiffModelTest {

    /** dense - batch norm with stored statistics - tanh - dense, in double precision. */
    static SameDiff graph() {
        Nd4j.getRandom().setSeed(5);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.DOUBLE, -1, 6);
        SDVariable w1 = sd.var("w1", Nd4j.randn(DataType.DOUBLE, 6, 5));
        SDVariable b1 = sd.var("b1", Nd4j.randn(DataType.DOUBLE, 5));
        SDVariable h = in.mmul(w1).add(b1);
        SDVariable mean = sd.var("mean", Nd4j.randn(DataType.DOUBLE, 5));
        SDVariable var = sd.var("var", Nd4j.rand(DataType.DOUBLE, 5).addi(0.5));
        SDVariable gamma = sd.var("gamma", Nd4j.rand(DataType.DOUBLE, 5).addi(0.5));
        SDVariable beta = sd.var("beta", Nd4j.randn(DataType.DOUBLE, 5));
        SDVariable bn = h.sub(mean).mul(gamma).div(sd.math().sqrt(var.add(1e-5))).add(beta);
        SDVariable a = sd.math().tanh(bn);
        SDVariable w2 = sd.var("w2", Nd4j.randn(DataType.DOUBLE, 5, 3));
        a.mmul("logits", w2);
        return sd;
    }

    @Test
    void gradientMatchesFiniteDifferencesAndGraphIsUntouched() {
        SameDiff sd = graph();
        int before = sd.variables().size();
        SameDiffModel model = SameDiffModel.of(sd, "input", "logits", new long[] {6}, InputDomain.UNIT);
        assertEquals(before, sd.variables().size(), "the user's graph must not gain variables");
        assertEquals(3, model.numClasses());

        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 6);
        INDArray y = Labels.oneHot(new int[] {0, 2, 1, 2}, 3).castTo(DataType.DOUBLE);
        LossAndGradient lg = model.lossAndGradient(x, y);
        double h = 1e-6;
        for (int i = 0; i < x.length(); i += 3) {
            INDArray flat = x.reshape(x.length());
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + h);
            double plus = loss(sd, x, y);
            flat.putScalar(i, orig - h);
            double minus = loss(sd, x, y);
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * h);
            double analytic = lg.gradient().reshape(x.length()).getDouble(i);
            assertEquals(numeric, analytic, 1e-6 + 1e-5 * Math.abs(numeric), "coordinate " + i);
        }
        assertTrue(model.predictProbabilities(x).equalsWithEps(lg.probabilities(), 1e-9));
        assertTrue(lg.loss().sumNumber().doubleValue() > 0);
    }

    @Test
    void logitObjectiveGradientMatchesFiniteDifferences() {
        SameDiffModel model = SameDiffModel.of(graph(), "input", "logits", new long[] {6}, InputDomain.UNIT);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 6);
        INDArray w = Nd4j.createFromArray(new double[][] {{1, -1, 0}, {0, 1, -1}, {-1, 0, 1}, {2, 0, -1}});
        LogitObjective linear = LogitObjectives.linear(w);
        INDArray g = model.logitGradient(x, linear).gradient();
        double h = 1e-6;
        for (int i = 0; i < x.length(); i++) {
            INDArray plus = x.dup();
            plus.reshape(x.length()).putScalar(i, x.reshape(x.length()).getDouble(i) + h);
            INDArray minus = x.dup();
            minus.reshape(x.length()).putScalar(i, x.reshape(x.length()).getDouble(i) - h);
            double numeric = (linear.evaluate(model.logits(plus)).value().sumNumber().doubleValue()
                    - linear.evaluate(model.logits(minus)).value().sumNumber().doubleValue()) / (2 * h);
            assertEquals(numeric, g.reshape(x.length()).getDouble(i), 1e-6 + 1e-5 * Math.abs(numeric), "coordinate " + i);
        }
    }

    @Test
    void batchNormOpIsRefusedWithAdvice() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.FLOAT, -1, 4);
        SDVariable bn = sd.nn().batchNorm(in, sd.var("m", Nd4j.zeros(DataType.FLOAT, 4)),
                sd.var("v", Nd4j.ones(DataType.FLOAT, 4)), sd.var("g", Nd4j.ones(DataType.FLOAT, 4)),
                sd.var("b", Nd4j.zeros(DataType.FLOAT, 4)), 1e-5, 1);
        bn.mmul("logits", sd.var("w", Nd4j.ones(DataType.FLOAT, 4, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SameDiffModel.of(sd, "input", "logits", new long[] {4}, InputDomain.UNIT));
        assertTrue(e.getMessage().contains("batch normalization"), e.getMessage());
    }

    @Test
    void badNamesAreRejected() {
        SameDiff sd = graph();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SameDiffModel.of(sd, "w1", "logits", new long[] {6}, InputDomain.UNIT));
        assertTrue(e.getMessage().contains("'w1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SameDiffModel.of(sd, "input", "nope", new long[] {6}, InputDomain.UNIT));
    }

    private static double loss(SameDiff sd, INDArray x, INDArray y) {
        INDArray z = sd.output(Map.of("input", x), "logits").get("logits");
        INDArray logp = Transforms.log(Transforms.softmax(z, true), false);
        return -logp.mul(y).sumNumber().doubleValue();
    }
}
