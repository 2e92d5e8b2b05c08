package dev.rampart.core.model;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checked contract of a {@link GradientClassifier}, written once for every adapter: each
 * public query checks its input, then calls the adapter's computation on input it can trust.
 *
 * <ul>
 *   <li>{@code x} must have the shape {@code [n, inputShape...]} with {@code n > 0} and a
 *       floating-point type; another floating-point type than {@link #dataType()} is converted
 *       (into a new array: {@code x} itself is never modified);</li>
 *   <li>every value of {@code x} must be finite and inside {@link #domain()};</li>
 *   <li>label rows must be finite, non-negative and sum to 1 (one-hot or probabilities).</li>
 * </ul>
 * A violation is an {@link IllegalArgumentException} naming the parameter ({@code x} or
 * {@code oneHotLabels}) and what is wrong, never a number computed from bad input.
 *
 * <p>Scanning every value costs a few passes over the batch. Attacks clip their iterates to the
 * domain at every step, so after checking the user's input once they query through
 * {@link #unchecked()}, which keeps the shape and type checks but skips the value scans.
 *
 * <pre>{@code
 * final class MyModel extends AbstractGradientClassifier {
 *     MyModel() { super(new long[] {1, 28, 28}, InputDomain.UNIT, 10, DataType.FLOAT); }
 *     protected INDArray computeLogits(INDArray x) { ... }
 *     ...
 * }
 * }</pre>
 */
public abstract class AbstractGradientClassifier implements GradientClassifier {

    /** How far a label row's sum may be from 1 (float rounding of soft labels). */
    public static final double LABEL_SUM_TOLERANCE = 1e-3;

    private final long[] inputShape;
    private final InputDomain domain;
    private final int numClasses;
    private final DataType dataType;
    private final GradientClassifier unchecked = new Unchecked();

    /**
     * @throws IllegalArgumentException if the shape is empty or not positive, the domain is null,
     *     there are fewer than 2 classes, or the type is not floating-point
     */
    protected AbstractGradientClassifier(long[] inputShape, InputDomain domain, int numClasses, DataType dataType) {
        if (inputShape == null || inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("inputShape must have positive dimensions, found "
                    + Arrays.toString(inputShape));
        }
        if (domain == null) {
            throw new IllegalArgumentException("domain must not be null");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, found " + numClasses);
        }
        if (dataType == null || !dataType.isFPType()) {
            throw new IllegalArgumentException("the model's data type must be floating-point, found " + dataType);
        }
        this.inputShape = inputShape.clone();
        this.domain = domain;
        this.numClasses = numClasses;
        this.dataType = dataType;
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
    public final DataType dataType() {
        return dataType;
    }

    @Override
    public final INDArray predictProbabilities(INDArray x) {
        return computeProbabilities(checkedInput(x));
    }

    @Override
    public final INDArray logits(INDArray x) {
        return computeLogits(checkedInput(x));
    }

    @Override
    public final LossAndGradient lossAndGradient(INDArray x, INDArray oneHotLabels) {
        INDArray in = checkedInput(x);
        return computeLossAndGradient(in, checkedLabels(oneHotLabels, in.size(0)));
    }

    @Override
    public final LogitGradient logitGradient(INDArray x, LogitObjective objective) {
        INDArray in = checkedInput(x);
        if (objective == null) {
            throw new IllegalArgumentException("objective must not be null");
        }
        return computeLogitGradient(in, objective);
    }

    /** This model, with the value scans of {@link #checkedInput} and label rows skipped. */
    @Override
    public final GradientClassifier unchecked() {
        return unchecked;
    }

    /**
     * {@code x} checked against the whole contract (shape, type, finite values in the domain),
     * in the model's data type.
     */
    protected final INDArray checkedInput(INDArray x) {
        INDArray in = Inputs.asType(this, x, "x");
        Inputs.checkFiniteInDomain(in, domain, "x");
        return in;
    }

    /** Label rows checked (shape, finite, non-negative, summing to 1), in the model's data type. */
    protected final INDArray checkedLabels(INDArray labels, long batchSize) {
        return checkedLabels(labels, batchSize, false);
    }

    /**
     * Label rows checked (shape, finite, summing to 1, and non-negative unless {@code signed}), in
     * the model's data type; training steps accept signed rows (see
     * {@link Inputs#checkLabelRows(INDArray, long, int, String, boolean)}).
     */
    protected final INDArray checkedLabels(INDArray labels, long batchSize, boolean signed) {
        Inputs.checkLabelRows(labels, batchSize, numClasses, "oneHotLabels", signed);
        return labels.dataType() == dataType ? labels : labels.castTo(dataType);
    }

    /** Class probabilities of a checked batch, as a new array. */
    protected abstract INDArray computeProbabilities(INDArray x);

    /** Logits of a checked batch, as a new array. */
    protected abstract INDArray computeLogits(INDArray x);

    /** Loss and input gradient of a checked batch and checked label rows. */
    protected abstract LossAndGradient computeLossAndGradient(INDArray x, INDArray labels);

    /** An objective's value and input gradient on a checked batch. */
    protected abstract LogitGradient computeLogitGradient(INDArray x, LogitObjective objective);

    /** The same model, with the value scans skipped. */
    private final class Unchecked implements GradientClassifier {

        @Override
        public int numClasses() {
            return numClasses;
        }

        @Override
        public long[] inputShape() {
            return inputShape.clone();
        }

        @Override
        public InputDomain domain() {
            return domain;
        }

        @Override
        public DataType dataType() {
            return dataType;
        }

        @Override
        public INDArray predictProbabilities(INDArray x) {
            return computeProbabilities(Inputs.asType(this, x, "x"));
        }

        @Override
        public INDArray logits(INDArray x) {
            return computeLogits(Inputs.asType(this, x, "x"));
        }

        @Override
        public LossAndGradient lossAndGradient(INDArray x, INDArray oneHotLabels) {
            INDArray in = Inputs.asType(this, x, "x");
            Inputs.checkLabelMatrix(oneHotLabels, in.size(0), numClasses, "oneHotLabels");
            return computeLossAndGradient(in, oneHotLabels.dataType() == dataType ? oneHotLabels
                    : oneHotLabels.castTo(dataType));
        }

        @Override
        public LogitGradient logitGradient(INDArray x, LogitObjective objective) {
            if (objective == null) {
                throw new IllegalArgumentException("objective must not be null");
            }
            return computeLogitGradient(Inputs.asType(this, x, "x"), objective);
        }

        @Override
        public GradientClassifier unchecked() {
            return this;
        }

        /** An unchecked view of a copy of the model. */
        @Override
        public GradientClassifier copy() {
            return AbstractGradientClassifier.this.copy().unchecked();
        }
    }
}
