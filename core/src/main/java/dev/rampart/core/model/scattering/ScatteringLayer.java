package dev.rampart.core.model.scattering;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A two-dimensional wavelet scattering transform of order 2 (Mallat 2012; Bruna &amp; Mallat 2013;
 * Oyallon &amp; Mallat 2015) as a fixed, parameter-free DL4J layer: for each input channel, the
 * image averaged by a Gaussian low-pass filter {@code phi} at scale {@code 2^J}, the first-order
 * coefficients {@code |x * psi(j, theta)| * phi} and the second-order coefficients
 * {@code ||x * psi(j1, theta1)| * psi(j2, theta2)| * phi} for {@code j1 < j2}, subsampled by
 * {@code 2^J}. With {@code J = 2} and {@code L = 8} orientations a channel gives
 * {@code 1 + J L + L^2 J (J - 1) / 2 = 81} maps; a 28 x 28 image gives 81 x 7 x 7 features. Output
 * channels are ordered by input channel, then order 0, order 1 by {@code (j, theta)}, order 2 by
 * {@code (j1, theta1, j2, theta2)}.
 *
 * <p>Optionally each example's coefficients are normalized in {@code groups} contiguous groups of
 * channels (group normalization without learned scale or shift: zero mean and unit variance per
 * group, computed from that example alone), as Tramèr &amp; Boneh (ICLR 2021) do before a linear or
 * small convolutional model trained with DP-SGD. Being a function of one example, it costs no
 * privacy budget.
 *
 * <p>The layer is differentiable: attacks on a network that starts with it go through it. Rampart's
 * model adapters and DL4J's own passes ({@code output}, {@code fit}) run the same computation: the
 * layer's SameDiff graph, with the input gradient that graph gives (checked against finite
 * differences; DL4J's generic execution of SameDiff layers, which this layer replaces, returns twice
 * that gradient in 1.0.0-M2.1). To train a head, computing the features once is far cheaper than
 * running the layer every step ({@link ScatterNet}). The modulus is computed as
 * {@code sqrt(re^2 + im^2 + 1e-12)}, so that its gradient is defined (and at most 1) where a
 * wavelet response is exactly zero, as on Fashion-MNIST's black background. Filters are sampled
 * in space and convolved with zero padding (the transform's own reference implementations work in
 * the Fourier domain with periodic boundaries; values differ near the border).
 *
 * <pre>{@code
 * MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
 *         .layer(new ScatteringLayer(2, 8, 27))
 *         .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
 *         .setInputType(InputType.convolutional(28, 28, 1)).build();
 * }</pre>
 */
public class ScatteringLayer extends SameDiffLambdaLayer {

    private static final double MODULUS_EPS = 1e-12;
    private static final double NORM_EPS = 1e-5;

    @JsonProperty
    private int scales;
    @JsonProperty
    private int angles;
    @JsonProperty
    private int groups;
    @JsonProperty
    private long channels;
    @JsonProperty
    private long height;
    @JsonProperty
    private long width;

    /** For DL4J's configuration reader only. */
    protected ScatteringLayer() {
    }

    /**
     * @param scales {@code J}, the number of wavelet scales, at least 1; the output is subsampled by {@code 2^J}
     * @param angles {@code L}, the number of orientations, at least 1
     * @param groups groups of channels normalized per example, or 0 for none; must divide the
     *     number of output channels (checked when the input type is known)
     * @throws IllegalArgumentException naming the parameter
     */
    public ScatteringLayer(int scales, int angles, int groups) {
        this.scales = scales;
        this.angles = angles;
        this.groups = groups;
        checkSettings();
    }

    /** The constructor's checks, again wherever a configuration read from a file is first used. */
    private void checkSettings() {
        if (scales < 1 || scales > 6) {
            throw new IllegalArgumentException("scales must be in [1, 6], found " + scales);
        }
        if (angles < 1 || angles > 32) {
            throw new IllegalArgumentException("angles must be in [1, 32], found " + angles);
        }
        if (groups < 0) {
            throw new IllegalArgumentException("groups must be >= 0 (0 for no normalization), found " + groups);
        }
    }

    /** {@code J}. */
    public int scales() {
        return scales;
    }

    /** {@code L}. */
    public int angles() {
        return angles;
    }

    /** Normalization groups, 0 for none. */
    public int groups() {
        return groups;
    }

    /** Output maps per input channel: {@code 1 + J L + L^2 J (J - 1) / 2}. */
    public static long mapsPerChannel(int scales, int angles) {
        return 1 + (long) scales * angles + (long) angles * angles * scales * (scales - 1) / 2;
    }

    /**
     * The output shape {@code [channels * maps, ceil(h / 2^J), ceil(w / 2^J)]} for one example of
     * shape {@code [channels, h, w]}.
     *
     * @throws IllegalArgumentException if the shape is not {@code [c, h, w]}, is smaller than
     *     {@code 2^J}, or the groups do not divide the channels
     */
    public long[] outputShape(long[] exampleShape) {
        checkSettings();
        if (exampleShape == null || exampleShape.length != 3 || exampleShape[0] < 1) {
            throw new IllegalArgumentException("ScatteringLayer needs images of shape [channels, height, width], found "
                    + java.util.Arrays.toString(exampleShape));
        }
        long step = 1L << scales;
        if (exampleShape[1] < step || exampleShape[2] < step) {
            throw new IllegalArgumentException("scales=" + scales + " subsamples by " + step
                    + ", more than the image's height or width " + java.util.Arrays.toString(exampleShape));
        }
        long out = exampleShape[0] * mapsPerChannel(scales, angles);
        if (groups > 0 && out % groups != 0) {
            throw new IllegalArgumentException("groups=" + groups + " must divide the " + out + " output channels");
        }
        return new long[] {out, (exampleShape[1] + step - 1) / step, (exampleShape[2] + step - 1) / step};
    }

    /**
     * A bound {@code B} with every output value in {@code [-B, B]} for inputs whose values have
     * absolute value at most {@code maxAbsInput}: {@code sqrt(group size)} with normalization (a
     * standardized group of {@code m} values has none above {@code sqrt(m - 1)}), else the product of the
     * filters' L1 norms (plus the modulus floor).
     */
    public double outputBound(long[] exampleShape, double maxAbsInput) {
        long[] out = outputShape(exampleShape);
        if (groups > 0) {
            return Math.sqrt((double) out[0] / groups * out[1] * out[2]);
        }
        double phi = l1(MorletFilters.lowPass(scales, MorletFilters.lowPassRadius(scales)));
        double psi = 0;
        for (int j = 0; j < scales; j++) {
            for (int l = 0; l < angles; l++) {
                double[][] m = MorletFilters.morlet(j, l, angles, MorletFilters.waveletRadius(j, angles));
                double s = 0;
                for (int k = 0; k < m[0].length; k++) {
                    s += Math.hypot(m[0][k], m[1][k]);
                }
                psi = Math.max(psi, s);
            }
        }
        double floor = Math.sqrt(MODULUS_EPS);
        return phi * Math.max(maxAbsInput, Math.max(psi * maxAbsInput + floor, psi * (psi * maxAbsInput + floor) + floor));
    }

    private static double l1(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s;
    }

    /**
     * This layer as a stage of Rampart's inference programs, for its model adapters (forward and
     * exact input gradient).
     *
     * @throws IllegalStateException if the input type is not set
     */
    public dev.rampart.core.model.program.Stage inferenceStage() {
        return new ScatteringStage(this, inputShape());
    }

    /** The example shape {@code [c, h, w]} set by the configuration's input type. */
    long[] inputShape() {
        if (channels == 0) {
            throw new IllegalStateException("ScatteringLayer's input type is not set: build the configuration with "
                    + "setInputType(InputType.convolutional(h, w, c))");
        }
        return new long[] {channels, height, width};
    }

    /** DL4J's layer for this configuration: it runs the same stage as Rampart's inference programs. */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        ScatteringLayerImpl layer = new ScatteringLayerImpl(conf, networkDataType);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        layer.setListeners(listeners);
        return layer;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException("ScatteringLayer needs convolutional (image) input, found " + inputType);
        }
        outputShape(new long[] {c.getChannels(), c.getHeight(), c.getWidth()});
        if (override || channels == 0) {
            channels = c.getChannels();
            height = c.getHeight();
            width = c.getWidth();
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException("ScatteringLayer (layer " + layerIndex
                    + ") needs convolutional (image) input, found " + inputType);
        }
        long[] out = outputShape(new long[] {c.getChannels(), c.getHeight(), c.getWidth()});
        return InputType.convolutional(out[1], out[2], out[0]);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x) {
        inputShape();
        DataType type = x.dataType();
        long c = channels;
        long h = height;
        long w = width;
        int jl = scales * angles;
        int r = MorletFilters.waveletRadius(scales - 1, angles);
        // Every map is filtered alone, so maps are stacked as one-channel images of a larger batch
        // and convolved by a plain convolution (far faster than a depthwise one in libnd4j).
        // First order: every wavelet, real and imaginary parts side by side.
        SDVariable first = sd.cnn().conv2d(x.reshape(-1, 1, h, w), sd.constant(waveletBank(0, r, type)), same(r, 1));
        SDVariable u1 = modulus(first.reshape(-1, c, jl, 2, h, w), 3); // [n, c, J L, h, w]
        List<SDVariable> parts = new ArrayList<>();
        parts.add(x.reshape(-1, c, 1, h, w));
        parts.add(u1);
        for (int j1 = 0; j1 < scales - 1; j1++) {
            int coarser = scales - 1 - j1;
            SDVariable in = u1.get(SDIndex.all(), SDIndex.all(), SDIndex.interval((long) j1 * angles,
                    (long) (j1 + 1) * angles), SDIndex.all(), SDIndex.all()).reshape(-1, 1, h, w);
            SDVariable second = sd.cnn().conv2d(in, sd.constant(waveletBank(j1 + 1, r, type)), same(r, 1));
            parts.add(modulus(second.reshape(-1, c, angles, (long) coarser * angles, 2, h, w), 4)
                    .reshape(-1, c, (long) angles * coarser * angles, h, w));
        }
        long maps = mapsPerChannel(scales, angles);
        long[] shape = outputShape(new long[] {c, h, w});
        SDVariable all = sd.concat(2, parts.toArray(new SDVariable[0])).reshape(-1, 1, h, w);
        int rp = MorletFilters.lowPassRadius(scales);
        SDVariable out = sd.cnn().conv2d(all, sd.constant(lowPassBank(rp, type)), same(rp, 1 << scales))
                .reshape(-1, c * maps, shape[1], shape[2]);
        if (groups == 0) {
            return out;
        }
        SDVariable g = out.reshape(-1, groups, shape[0] / groups * shape[1] * shape[2]);
        SDVariable centred = g.sub(g.mean(true, 2));
        SDVariable std = centred.mul(centred).mean(true, 2).add(NORM_EPS).pow(0.5);
        return centred.div(std).reshape(-1, shape[0], shape[1], shape[2]);
    }

    /** {@code sqrt(re^2 + im^2 + eps)} over the size-2 axis {@code axis}. */
    private static SDVariable modulus(SDVariable pairs, int axis) {
        return pairs.mul(pairs).sum(axis).add(MODULUS_EPS).pow(0.5);
    }

    private static Conv2DConfig same(int r, int stride) {
        return Conv2DConfig.builder().kH(2L * r + 1).kW(2L * r + 1).sH(stride).sW(stride)
                .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build();
    }

    /**
     * Convolution weights {@code [k, k, 1, 2 L (J - fromScale)]}: the wavelets of scales
     * {@code fromScale..J-1} and all orientations, real then imaginary part.
     */
    private INDArray waveletBank(int fromScale, int r, DataType type) {
        int k = 2 * r + 1;
        int per = 2 * angles * (scales - fromScale);
        double[] flat = new double[k * k * per];
        int m = 0;
        for (int j = fromScale; j < scales; j++) {
            for (int l = 0; l < angles; l++) {
                double[][] psi = MorletFilters.morlet(j, l, angles, r);
                for (int part = 0; part < 2; part++, m++) {
                    for (int p = 0; p < k * k; p++) {
                        flat[p * per + m] = psi[part][p];
                    }
                }
            }
        }
        return Nd4j.create(flat, new long[] {k, k, 1, per}, 'c').castTo(type);
    }

    /** Convolution weights {@code [k, k, 1, 1]}: the low-pass filter. */
    private INDArray lowPassBank(int r, DataType type) {
        int k = 2 * r + 1;
        return Nd4j.create(MorletFilters.lowPass(scales, r), new long[] {k, k, 1, 1}, 'c').castTo(type);
    }
}
