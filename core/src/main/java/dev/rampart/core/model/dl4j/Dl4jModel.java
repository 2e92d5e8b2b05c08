package dev.rampart.core.model.dl4j;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.LossAndGradient;
import dev.rampart.core.model.TrainableModel;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the DL4J adapters share: a compiled {@link InferenceProgram} for predictions, logits and
 * inference-mode input gradients, input checks and batching.
 */
abstract class Dl4jModel implements GradientClassifier, ActivationModel, TrainableModel {

    /** Largest number of examples one forward pass handles when predicting. */
    static final int PREDICT_BATCH = 512;

    private final long[] inputShape;
    private final InputDomain domain;
    private final int numClasses;
    private final InferenceProgram program;

    Dl4jModel(long[] inputShape, InputDomain domain, int numClasses, InferenceProgram program) {
        if (inputShape == null || inputShape.length == 0) {
            throw new IllegalArgumentException("inputShape must have at least one dimension");
        }
        for (long d : inputShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("inputShape dimensions must be positive, found "
                        + java.util.Arrays.toString(inputShape));
            }
        }
        if (domain == null) {
            throw new IllegalArgumentException("domain must not be null");
        }
        this.inputShape = inputShape.clone();
        this.domain = domain;
        this.numClasses = numClasses;
        this.program = program;
    }

    @Override
    public final int numClasses() {
        return numClasses;
    }

    @Override
    public final long[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public final InputDomain domain() {
        return domain;
    }

    @Override
    public final INDArray predictProbabilities(INDArray x) {
        Inputs.checkBatch(this, x, "x");
        List<INDArray> parts = new ArrayList<>();
        for (long start = 0; start < x.size(0); start += PREDICT_BATCH) {
            INDArray chunk = rows(x, start, Math.min(x.size(0), start + PREDICT_BATCH));
            parts.add(program.probabilities(program.logits(chunk)));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    @Override
    public final INDArray logits(INDArray x) {
        Inputs.checkBatch(this, x, "x");
        return program.logits(x);
    }

    @Override
    public final LossAndGradient lossAndGradient(INDArray x, INDArray oneHotLabels) {
        Inputs.checkBatch(this, x, "x");
        Inputs.checkLabelMatrix(oneHotLabels, x.size(0), numClasses, "oneHotLabels");
        InferenceProgram.Result r = program.lossAndGradient(x, oneHotLabels.castTo(x.dataType()));
        return new LossAndGradient(r.loss(), r.gradient(), r.probabilities());
    }

    @Override
    public final LogitGradient logitGradient(INDArray x, LogitObjective objective) {
        Inputs.checkBatch(this, x, "x");
        if (objective == null) {
            throw new IllegalArgumentException("objective must not be null");
        }
        InferenceProgram.Result r = program.logitGradient(x, objective);
        return new LogitGradient(r.loss(), r.gradient(), r.probabilities());
    }

    @Override
    public final boolean softmaxCrossEntropyOutput() {
        return program.softmaxCrossEntropy();
    }

    @Override
    public abstract Dl4jModel copy();

    /** The stages the network was compiled into, for logs. */
    public List<String> compiledStages() {
        return program.describe();
    }

    static INDArray rows(INDArray x, long from, long to) {
        if (from == 0 && to == x.size(0)) {
            return x;
        }
        return x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
    }

    static void checkFit(Dl4jModel m, INDArray x, INDArray labels) {
        Inputs.checkBatch(m, x, "x");
        Inputs.checkLabelMatrix(labels, x.size(0), m.numClasses(), "oneHotLabels");
    }
}
