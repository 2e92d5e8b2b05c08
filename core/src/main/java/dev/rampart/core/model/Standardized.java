package dev.rampart.core.model;

import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model that takes standardized inputs, seen from pixel space: the wrapper subtracts a
 * per-channel mean and divides by a per-channel standard deviation before the wrapped model, and
 * back-propagates through that step (the input gradient is the wrapped model's divided by the
 * standard deviation). Attacks then work on pixels, with budgets in pixel units and the pixel
 * domain, while the model sees what it was trained on; no epsilon has to be rescaled by hand.
 *
 * <p>The channel axis is dimension 1 of a batch ({@code [n, c, ...]}; a model taking flat vectors
 * has one value per feature), or the last one with {@link #channelsLast}. The wrapped model's
 * domain must hold the standardized pixel domain ({@link #standardizedDomain} computes it).
 *
 * <pre>{@code
 * GradientClassifier net = MultiLayerNetworkModel.of(cifarNet, new long[] {3, 32, 32}, new InputDomain(-3, 3));
 * GradientClassifier model = Standardized.of(net, new double[] {0.4914, 0.4822, 0.4465},
 *         new double[] {0.2470, 0.2435, 0.2616}, InputDomain.UNIT);
 * Pgd.builder(model).epsilon(8 / 255.0).build().run(pixels, labels);   // epsilon in pixel units
 * }</pre>
 */
public final class Standardized extends AbstractGradientClassifier {

    private final GradientClassifier inner;
    private final double[] mean;
    private final double[] std;
    private final int channelAxis;
    private final long[] broadcastShape;

    private Standardized(GradientClassifier inner, double[] mean, double[] std, InputDomain pixels, int channelAxis) {
        super(inner.inputShape(), pixels, inner.numClasses(), inner.dataType());
        this.inner = inner;
        this.mean = mean.clone();
        this.std = std.clone();
        this.channelAxis = channelAxis;
        long[] shape = inner.inputShape();
        this.broadcastShape = new long[shape.length + 1];
        Arrays.fill(broadcastShape, 1);
        broadcastShape[channelAxis] = mean.length;
    }

    /**
     * @param inner the model, taking standardized inputs
     * @param mean per-channel means (one per entry of dimension 1 of the input)
     * @param std per-channel standard deviations, positive
     * @param pixels the domain of the pixel inputs (such as {@code [0, 1]})
     * @throws IllegalArgumentException naming the parameter, if the lists do not fit the input's
     *     channels, a standard deviation is not positive, or the standardized domain falls outside
     *     the wrapped model's
     */
    public static Standardized of(GradientClassifier inner, double[] mean, double[] std, InputDomain pixels) {
        return create(inner, mean, std, pixels, false);
    }

    /**
     * As {@link #of}, for models whose channels are the last dimension ({@code [n, h, w, c]}, as
     * Keras models with {@code channels_last} take).
     */
    public static Standardized channelsLast(GradientClassifier inner, double[] mean, double[] std, InputDomain pixels) {
        return create(inner, mean, std, pixels, true);
    }

    private static Standardized create(GradientClassifier inner, double[] mean, double[] std, InputDomain pixels,
            boolean last) {
        if (inner == null || pixels == null) {
            throw new IllegalArgumentException("inner and pixels must not be null");
        }
        long[] in = inner.inputShape();
        int axis = last ? in.length : 1;
        long channels = in[axis - 1];
        if (mean == null || std == null || mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need one value per channel (" + channels + " for input "
                    + Arrays.toString(inner.inputShape()) + "), found " + Arrays.toString(mean) + " and "
                    + Arrays.toString(std));
        }
        for (int c = 0; c < channels; c++) {
            if (!Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean[" + c + "] must be finite, found " + mean[c]);
            }
            if (!(std[c] > 0) || !Double.isFinite(std[c])) {
                throw new IllegalArgumentException("std[" + c + "] must be positive and finite, found " + std[c]);
            }
            double lo = (pixels.min() - mean[c]) / std[c];
            double hi = (pixels.max() - mean[c]) / std[c];
            if (lo < inner.domain().min() || hi > inner.domain().max()) {
                throw new IllegalArgumentException("channel " + c + " of the pixel domain " + pixels
                        + " standardizes to [" + lo + ", " + hi + "], outside the wrapped model's domain "
                        + inner.domain());
            }
        }
        return new Standardized(inner, mean, std, pixels, axis);
    }

    /**
     * The smallest domain that holds {@code pixels} standardized by every channel's statistics: a
     * domain for the wrapped model. Each end is widened by four float32 rounding steps, so that
     * pixels standardized in float arithmetic ({@code x.sub(mean).div(std)} on a FLOAT array) stay
     * inside it.
     */
    public static InputDomain standardizedDomain(double[] mean, double[] std, InputDomain pixels) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < mean.length; c++) {
            lo = Math.min(lo, (pixels.min() - mean[c]) / std[c]);
            hi = Math.max(hi, (pixels.max() - mean[c]) / std[c]);
        }
        return new InputDomain(lo - 4 * Math.ulp((float) lo), hi + 4 * Math.ulp((float) hi));
    }

    /** The per-channel means. */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviations. */
    public double[] std() {
        return std.clone();
    }

    /** {@code (x - mean) / std} per channel, as a new array. */
    public INDArray standardize(INDArray x) {
        INDArray out = x.sub(column(mean, x));
        out.divi(column(std, x));
        return inner.domain().clipInPlace(out); // float rounding at the domain's ends
    }

    private INDArray column(double[] values, INDArray like) {
        return Nd4j.createFromArray(values).castTo(like.dataType()).reshape(broadcastShape)
                .broadcast(like.shape());
    }

    @Override
    protected INDArray computeProbabilities(INDArray x) {
        return inner.unchecked().predictProbabilities(standardize(x));
    }

    @Override
    protected INDArray computeLogits(INDArray x) {
        return inner.unchecked().logits(standardize(x));
    }

    @Override
    protected LossAndGradient computeLossAndGradient(INDArray x, INDArray labels) {
        LossAndGradient lg = inner.unchecked().lossAndGradient(standardize(x), labels);
        return new LossAndGradient(lg.loss(), lg.gradient().divi(column(std, lg.gradient())), lg.probabilities());
    }

    @Override
    protected LogitGradient computeLogitGradient(INDArray x, LogitObjective objective) {
        LogitGradient g = inner.unchecked().logitGradient(standardize(x), objective);
        return new LogitGradient(g.value(), g.gradient().divi(column(std, g.gradient())), g.logits());
    }

    @Override
    public Standardized copy() {
        return new Standardized(inner.copy(), mean, std, domain(), channelAxis);
    }
}
