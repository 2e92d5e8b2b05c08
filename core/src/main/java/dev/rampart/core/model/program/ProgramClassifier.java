package dev.rampart.core.model.program;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.model.AbstractGradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.LossAndGradient;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A classifier computed by an {@link InferenceProgram}: predictions, logits and exact
 * inference-mode input gradients, behind the checked contract of {@link AbstractGradientClassifier}.
 * The DL4J and ONNX adapters extend it.
 *
 * <pre>{@code
 * GradientClassifier model = OnnxClassifier.load(Path.of("model.onnx"), InputDomain.UNIT);
 * INDArray grad = model.lossGradient(x, Labels.oneHot(y, model.numClasses()));
 * }</pre>
 */
public abstract class ProgramClassifier extends AbstractGradientClassifier {

    /** Largest number of examples one forward pass handles when predicting. */
    public static final int PREDICT_BATCH = 512;

    private final InferenceProgram program;

    protected ProgramClassifier(long[] inputShape, InputDomain domain, int numClasses, DataType dataType,
            InferenceProgram program) {
        super(inputShape, domain, numClasses, dataType);
        this.program = program;
    }

    /**
     * The compiled program: what bound propagation and certified training walk through. It reads
     * the model's live parameters; it never writes to them.
     */
    public final InferenceProgram program() {
        return program;
    }

    @Override
    protected final INDArray computeProbabilities(INDArray x) {
        List<INDArray> parts = new ArrayList<>();
        for (long start = 0; start < x.size(0); start += PREDICT_BATCH) {
            INDArray chunk = rows(x, start, Math.min(x.size(0), start + PREDICT_BATCH));
            parts.add(program.probabilities(chunk));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    @Override
    protected final INDArray computeLogits(INDArray x) {
        return program.logits(x);
    }

    @Override
    protected final LossAndGradient computeLossAndGradient(INDArray x, INDArray labels) {
        InferenceProgram.Result r = program.lossAndGradient(x, labels);
        return new LossAndGradient(r.loss(), r.gradient(), r.probabilities());
    }

    @Override
    protected final LogitGradient computeLogitGradient(INDArray x, LogitObjective objective) {
        InferenceProgram.Result r = program.logitGradient(x, objective);
        return new LogitGradient(r.loss(), r.gradient(), r.probabilities());
    }

    /** The stages the model was compiled into, for logs. */
    public List<String> compiledStages() {
        return program.describe();
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of {@code x}, a view. */
    protected static INDArray rows(INDArray x, long from, long to) {
        if (from == 0 && to == x.size(0)) {
            return x;
        }
        return x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
    }
}
