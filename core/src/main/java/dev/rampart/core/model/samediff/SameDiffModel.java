package dev.rampart.core.model.samediff;

import dev.rampart.core.io.IoErrors;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.AbstractGradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.LossAndGradient;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adapter for a SameDiff graph that maps an input placeholder to class logits.
 *
 * <p>Rampart works on its own copy of the graph, to which it adds a label placeholder, a softmax
 * and a vector-Jacobian product of the logits; the user's graph is never modified. The gradient is that of
 * the graph as given: build it for inference (batch normalization with fixed mean and variance
 * variables, no dropout), as {@code sd.nn().batchNorm(...)} with stored statistics is.
 *
 * <p>Not thread-safe: give each thread its own {@link #copy()}.
 *
 * <pre>{@code
 * SameDiffModel model = SameDiffModel.of(sd, "input", "logits", new long[] {1, 28, 28}, InputDomain.UNIT);
 * INDArray grad = model.lossGradient(x, Labels.oneHot(y, model.numClasses()));
 * }</pre>
 */
public final class SameDiffModel extends AbstractGradientClassifier {

    private static final String DLOGITS = "rampart_logit_gradient";
    private static final String PROBABILITIES = "rampart_probabilities";
    private static final String TOTAL = "rampart_logit_product";

    private final SameDiff original;
    private final SameDiff sd;
    private final String input;
    private final String logits;

    private SameDiffModel(SameDiff original, SameDiff sd, String input, String logits, long[] inputShape,
            InputDomain domain, int numClasses) {
        super(inputShape, domain, numClasses, sd.getVariable(input).dataType());
        this.original = original;
        this.sd = sd;
        this.input = input;
        this.logits = logits;
        SDVariable z = sd.getVariable(logits);
        // sum(z * g) for a given logit gradient g: its input gradient is the vector-Jacobian
        // product every objective of the logits needs.
        SDVariable g = sd.placeHolder(DLOGITS, z.dataType(), -1, numClasses);
        sd.nn().softmax(PROBABILITIES, z, 1);
        sd.sum(TOTAL, z.mul(g));
        sd.setLossVariables(TOTAL);
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                v.convertToConstant(); // only the input gradient is needed
            }
        }
        try {
            GradFunctions.create(sd, input);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("SameDiff cannot differentiate this graph with respect to '" + input
                    + "': " + IoErrors.reason(e) + ". Some ND4J 1.0.0-M2.1 ops have no working gradient: batchNorm (write"
                    + " inference batch normalization as (x - mean) * gamma / sqrt(var + eps) + beta) and mmul with a"
                    + " bias input, as ONNX Gemm imports (write it as mmul then add). Without gradients, wrap the"
                    + " graph's output in a BlackBoxModel for query-only attacks.", e);
        }
    }

    /**
     * Wraps a graph.
     *
     * @param input name of the input placeholder
     * @param logits name of the variable holding the class logits {@code [n, classes]}
     * @throws IllegalArgumentException if a name is not a variable of the graph or not a placeholder
     */
    public static SameDiffModel of(SameDiff sd, String input, String logits, long[] inputShape, InputDomain domain) {
        if (sd == null) {
            throw new IllegalArgumentException("sd must not be null");
        }
        if (!sd.hasVariable(input) || sd.getVariable(input).getVariableType() != VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("input '" + input + "' is not a placeholder of the graph");
        }
        if (!sd.hasVariable(logits)) {
            throw new IllegalArgumentException("logits '" + logits + "' is not a variable of the graph");
        }
        if (inputShape == null || inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("inputShape must have positive dimensions, found "
                    + Arrays.toString(inputShape));
        }
        if (domain == null) {
            throw new IllegalArgumentException("domain must not be null");
        }
        return create(sd, input, logits, inputShape, domain);
    }

    /** Copies the graph and reads the number of classes from one probe example. */
    private static SameDiffModel create(SameDiff original, String input, String logits, long[] inputShape,
            InputDomain domain) {
        SameDiff sd = original.dup();
        long[] probeShape = new long[inputShape.length + 1];
        probeShape[0] = 1;
        System.arraycopy(inputShape, 0, probeShape, 1, inputShape.length);
        INDArray probe = Nd4j.zeros(sd.getVariable(input).dataType(), probeShape);
        long[] zShape;
        try {
            zShape = sd.output(Map.of(input, probe), logits).get(logits).shape();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the graph cannot compute '" + logits + "' from one example of shape "
                    + Arrays.toString(probeShape) + ": " + IoErrors.reason(e), e);
        }
        if (zShape.length != 2 || zShape[1] <= 1) {
            throw new IllegalArgumentException("logits variable '" + logits + "' must have shape [n, classes], found "
                    + Arrays.toString(zShape) + " for one example of shape " + Arrays.toString(inputShape));
        }
        return new SameDiffModel(original, sd, input, logits, inputShape, domain, (int) zShape[1]);
    }

    @Override
    protected INDArray computeProbabilities(INDArray x) {
        return sd.output(Map.of(input, x), PROBABILITIES).get(PROBABILITIES);
    }

    @Override
    protected INDArray computeLogits(INDArray x) {
        return sd.output(Map.of(input, x), logits).get(logits);
    }

    @Override
    protected LossAndGradient computeLossAndGradient(INDArray x, INDArray labels) {
        LogitGradient g = computeLogitGradient(x, LogitObjectives.softCrossEntropy(labels));
        INDArray p = Nd4j.nn().softmax(g.logits().dup(), 1);
        return new LossAndGradient(g.value(), g.gradient(), p);
    }

    @Override
    protected LogitGradient computeLogitGradient(INDArray x, LogitObjective objective) {
        INDArray z = sd.output(Map.of(input, x), logits).get(logits);
        LogitObjective.Value v = objective.evaluate(z);
        if (v == null || v.gradient() == null || !Arrays.equals(v.gradient().shape(), z.shape())) {
            throw new IllegalArgumentException("the objective's gradient must have the logits' shape "
                    + Arrays.toString(z.shape()));
        }
        Map<String, INDArray> ph = Map.of(input, x, DLOGITS, v.gradient().castTo(z.dataType()));
        INDArray grad = sd.calculateGradients(ph, input).get(input).dup();
        return new LogitGradient(v.value().reshape(-1), grad, z);
    }

    @Override
    public SameDiffModel copy() {
        return create(original, input, logits, inputShape(), domain()); // a new copy of the user's graph
    }
}
