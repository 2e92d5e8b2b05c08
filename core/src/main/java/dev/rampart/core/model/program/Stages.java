package dev.rampart.core.model.program;

import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The stages an {@link InferenceProgram} is made of that DL4J and ONNX models share: affine maps,
 * convolution, pooling, activations and element-wise combinations. Parameters come from suppliers,
 * read on every pass.
 *
 * <pre>{@code
 * Stage dense = new Stages.Dense(() -> w, () -> b);
 * }</pre>
 */
public final class Stages {

    private Stages() {
    }

    /**
     * {@code x W + b}, for DenseLayer and the affine part of OutputLayer. Products go through
     * libnd4j's matmul op, which took 23-28% less time than {@code INDArray.mmul} on the reference
     * MLP's shapes in one interleaved measurement, with identical results.
     */
    public static final class Dense extends Stage.Unary {
        private final Supplier<INDArray> weight;
        private final Supplier<INDArray> bias;
        private final boolean hasBias;

        /** @param weight {@code [in, out]}; @param bias a vector of {@code out}, or {@code null} for none */
        public Dense(Supplier<INDArray> weight, Supplier<INDArray> bias) {
            this.weight = weight;
            this.bias = bias;
            this.hasBias = bias != null;
        }

        @Override
        protected INDArray forward(INDArray x) {
            INDArray z = matmul(x, weight.get(), false);
            return hasBias ? z.addiRowVector(bias.get()) : z;
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return matmul(gradOut, weight.get(), true);
        }

        @Override
        public boolean hasParameters() {
            return true;
        }

        @Override
        public Kind kind() {
            return Kind.AFFINE;
        }

        @Override
        public Stage absolute() {
            return new Dense(() -> Transforms.abs(weight.get(), true), null);
        }

        @Override
        public INDArray[] parameterArrays() {
            return hasBias ? new INDArray[] {weight.get(), bias.get()} : new INDArray[] {weight.get()};
        }

        /** {@code x^T g} for the weights, the column sums of {@code g} for the bias. */
        @Override
        public INDArray[] parameterGradients(INDArray[] in, INDArray gradOut) {
            INDArray x = in[0].reshape(in[0].size(0), -1);
            INDArray w = weight.get();
            INDArray gw = Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(x, gradOut)
                    .addIntegerArguments(1, 0).build())[0].reshape(w.shape());
            return hasBias ? new INDArray[] {gw, gradOut.sum(0).reshape(bias.get().shape())} : new INDArray[] {gw};
        }

        /**
         * Example {@code i}'s weight gradient is {@code a_i d_i^T}: squared norm {@code |a_i|^2 |d_i|^2};
         * a weighted sum is {@link #parameterGradients} of the reweighted output gradient.
         */
        @Override
        public PerExample perExample(INDArray[] in, INDArray gradOut) {
            INDArray a = in[0].reshape(in[0].size(0), -1);
            INDArray d = gradOut.dup();
            return new PerExample() {
                @Override
                public double[] squaredNorms() {
                    double[] aa = rowSquares(a);
                    double[] dd = rowSquares(d);
                    double[] out = new double[aa.length];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = aa[i] * dd[i] + (hasBias ? dd[i] : 0);
                    }
                    return out;
                }

                @Override
                public INDArray[] weightedSum(INDArray w) {
                    return parameterGradients(new INDArray[] {a}, d.mulColumnVector(w));
                }
            };
        }

        /** {@code a b}, or {@code a b^T} when {@code transposeB}. */
        private static INDArray matmul(INDArray a, INDArray b, boolean transposeB) {
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("matmul").addInputs(a, b);
            if (transposeB) {
                op.addIntegerArguments(0, 1);
            }
            return Nd4j.exec(op.build())[0];
        }

        @Override
        public String describe() {
            return "dense";
        }
    }

    /** The squared L2 norm of each row of a {@code [n, ...]} array. */
    public static double[] rowSquares(INDArray a) {
        INDArray flat = a.reshape(a.size(0), -1);
        return flat.mul(flat).sum(1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
    }

    /**
     * ReLU. The backward pass is {@code gradOut * sign(out)}: the output is 0 or positive, so its
     * sign is the ReLU's derivative (0 at 0, as libnd4j's relu_bp has it), in two streaming passes,
     * measured 2-4x faster than relu_bp.
     */
    public static final class Relu extends Stage.Unary {
        @Override
        protected INDArray forward(INDArray x) {
            return Transforms.relu(x, true);
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return gradOut.muli(Transforms.sign(out, true));
        }

        @Override
        public Kind kind() {
            return Kind.RELU;
        }

        @Override
        public String describe() {
            return "relu";
        }
    }

    /** An element-wise activation function, through DL4J's own implementation. */
    public static final class Activation extends Stage.Unary {
        private final IActivation fn;

        public Activation(IActivation fn) {
            this.fn = fn;
        }

        @Override
        protected INDArray forward(INDArray x) {
            return fn.getActivation(x.dup(), false);
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return fn.backprop(x.dup(), gradOut).getFirst();
        }

        /** Non-decreasing activations: sigmoid, tanh, their hard forms, leaky ReLU, ELU, SELU, softplus, identity... */
        @Override
        public Kind kind() {
            return switch (fn.getClass().getSimpleName()) {
                case "ActivationSigmoid", "ActivationTanH", "ActivationHardSigmoid", "ActivationHardTanH",
                        "ActivationIdentity", "ActivationELU", "ActivationSELU", "ActivationSoftPlus",
                        "ActivationReLU6", "ActivationRationalTanh", "ActivationRectifiedTanh", "ActivationSoftSign" ->
                        Kind.MONOTONE;
                case "ActivationLReLU" -> fn.toString().contains("-") ? Kind.OTHER : Kind.MONOTONE;
                case "ActivationReLU" -> Kind.RELU;
                default -> Kind.OTHER;
            };
        }

        @Override
        public String describe() {
            return "activation " + fn;
        }
    }

    /** 2-D convolution through libnd4j's conv2d/conv2d_bp ops (oneDNN- and cuDNN-backed). */
    public static final class Convolution extends Stage.Unary {
        private final Supplier<INDArray> weight;
        private final Supplier<INDArray> bias;
        private final boolean hasBias;
        private final int[] intArgs;
        /** Transposed convolution gives the input gradient alone when padding is explicit. */
        private final boolean inputGradByDeconv;

        /**
         * @param weight {@code [out, in, kH, kW]}
         * @param bias a vector of {@code out}, or {@code null} for none
         * @param same TensorFlow's "same" padding (extra row and column at the bottom and right), else
         *     the symmetric {@code padding}
         */
        public Convolution(Supplier<INDArray> weight, Supplier<INDArray> bias, int[] k, int[] s, int[] p, int[] d,
                boolean same, boolean channelsLast) {
            this.weight = weight;
            this.bias = bias;
            this.hasBias = bias != null;
            int weightsOiyx = 1;
            this.intArgs = new int[] {k[0], k[1], s[0], s[1], same ? 0 : p[0], same ? 0 : p[1], d[0], d[1],
                    same ? 1 : 0, channelsLast ? 1 : 0, weightsOiyx};
            this.inputGradByDeconv = !same && d[0] == 1 && d[1] == 1;
        }

        @Override
        protected INDArray forward(INDArray x) {
            INDArray w = weight.get();
            INDArray[] in = hasBias
                    ? new INDArray[] {x, w, bias.get().reshape(-1)}
                    : new INDArray[] {x, w};
            return Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(in).addIntegerArguments(intArgs).build())[0];
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            INDArray w = weight.get();
            if (inputGradByDeconv) {
                // deconv2d reads [in, out, kH, kW] weights (its OIYX) from DL4J's [out, in, kH, kW]
                // array as is. With strides that drop input rows it yields a smaller array: then fall
                // back to conv2d_bp.
                INDArray g = Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(gradOut, w)
                        .addIntegerArguments(intArgs[0], intArgs[1], intArgs[2], intArgs[3], intArgs[4], intArgs[5],
                                1, 1, 0, intArgs[9], 1)
                        .build())[0];
                if (java.util.Arrays.equals(g.shape(), x.shape())) {
                    return g;
                }
            }
            INDArray gradIn = Nd4j.createUninitialized(x.dataType(), x.shape());
            INDArray gradW = Nd4j.createUninitialized(w.dataType(), w.shape());
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp");
            if (hasBias) {
                INDArray b = bias.get().reshape(-1);
                op.addInputs(x, w, b, gradOut).addOutputs(gradIn, gradW, Nd4j.createUninitialized(b.dataType(), b.shape()));
            } else {
                op.addInputs(x, w, gradOut).addOutputs(gradIn, gradW);
            }
            Nd4j.exec(op.addIntegerArguments(intArgs).build());
            return gradIn;
        }

        /**
         * Example {@code i}'s weight gradient is its output gradient {@code [out, positions]} times its
         * unfolded input {@code [positions, in * kH * kW]} (im2col), computed for the batch in one
         * batched product; its bias gradient is the output gradient summed over positions. A weighted
         * sum of them is then one matrix-vector product over the batch: no second backward pass.
         */
        @Override
        public PerExample perExample(INDArray[] in, INDArray gradOut) {
            INDArray x = in[0];
            long n = x.size(0);
            boolean same = intArgs[8] == 1;
            if (same) {
                x = padSame(x, gradOut.size(2), gradOut.size(3));
            }
            // "same" padding as conv2d lays it out (the extra row and column at the bottom and right)
            INDArray cols = Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(x)
                    .addIntegerArguments(intArgs[0], intArgs[1], intArgs[2], intArgs[3], same ? 0 : intArgs[4],
                            same ? 0 : intArgs[5], intArgs[6], intArgs[7], 0)
                    .addFloatingPointArguments(0.0).build())[0];          // [n, c, kH, kW, oH, oW]
            long positions = cols.size(4) * cols.size(5);
            INDArray unfolded = cols.reshape('c', n, cols.length() / n / positions, positions); // [n, K, P]
            INDArray d = gradOut.reshape('c', n, gradOut.size(1), positions);                   // [n, out, P]
            INDArray perExample = Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(d, unfolded)
                    .addIntegerArguments(0, 1).build())[0].reshape('c', n, -1);                // [n, out * K]
            INDArray biases = hasBias ? d.sum(2) : null;                                        // [n, out]
            return new PerExample() {
                @Override
                public double[] squaredNorms() {
                    double[] w = rowSquares(perExample);
                    if (hasBias) {
                        double[] b = rowSquares(biases);
                        for (int i = 0; i < w.length; i++) {
                            w[i] += b[i];
                        }
                    }
                    return w;
                }

                @Override
                public INDArray[] weightedSum(INDArray w) {
                    INDArray row = w.reshape(1, n);
                    INDArray gw = row.mmul(perExample).reshape('c', weight.get().shape());
                    return hasBias ? new INDArray[] {gw, row.mmul(biases).reshape(bias.get().shape())}
                            : new INDArray[] {gw};
                }
            };
        }

        @Override
        public String perExampleProblem() {
            return intArgs[9] == 1 ? "a channels-last (NHWC) convolution" : null;
        }

        private Convolution(Supplier<INDArray> weight, Supplier<INDArray> bias, int[] intArgs,
                boolean inputGradByDeconv) {
            this.weight = weight;
            this.bias = bias;
            this.hasBias = bias != null;
            this.intArgs = intArgs;
            this.inputGradByDeconv = inputGradByDeconv;
        }

        @Override
        public Kind kind() {
            return Kind.AFFINE;
        }

        @Override
        public Stage absolute() {
            return new Convolution(() -> Transforms.abs(weight.get(), true), null, intArgs, inputGradByDeconv);
        }

        @Override
        public INDArray[] parameterArrays() {
            return hasBias ? new INDArray[] {weight.get(), bias.get()} : new INDArray[] {weight.get()};
        }

        /** Through libnd4j's conv2d_bp: the weight and bias gradients summed over the batch. */
        @Override
        public INDArray[] parameterGradients(INDArray[] in, INDArray gradOut) {
            INDArray x = in[0];
            INDArray w = weight.get();
            INDArray gradIn = Nd4j.createUninitialized(x.dataType(), x.shape());
            INDArray gradW = Nd4j.createUninitialized(w.dataType(), w.shape());
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp");
            if (hasBias) {
                INDArray b = bias.get();
                INDArray gradB = Nd4j.createUninitialized(b.dataType(), b.length());
                op.addInputs(x, w, b.reshape(-1), gradOut).addOutputs(gradIn, gradW, gradB);
                Nd4j.exec(op.addIntegerArguments(intArgs).build());
                return new INDArray[] {gradW, gradB.reshape(b.shape())};
            }
            op.addInputs(x, w, gradOut).addOutputs(gradIn, gradW);
            Nd4j.exec(op.addIntegerArguments(intArgs).build());
            return new INDArray[] {gradW};
        }

        @Override
        public boolean hasParameters() {
            return true;
        }

        /** {@code x} with the zero padding a "same" convolution of output size {@code oH x oW} uses. */
        private INDArray padSame(INDArray x, long oH, long oW) {
            long[] pad = new long[2];
            long[] size = {x.size(2), x.size(3)};
            long[] out = {oH, oW};
            for (int k = 0; k < 2; k++) {
                long effective = (intArgs[k] - 1) * (long) intArgs[6 + k] + 1;
                pad[k] = Math.max(0, (out[k] - 1) * intArgs[2 + k] + effective - size[k]);
            }
            INDArray padded = Nd4j.zeros(x.dataType(), x.size(0), x.size(1), size[0] + pad[0], size[1] + pad[1]);
            padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(pad[0] / 2, pad[0] / 2 + size[0]),
                    NDArrayIndex.interval(pad[1] / 2, pad[1] / 2 + size[1])).assign(x);
            return padded;
        }

        @Override
        public String describe() {
            return "conv2d k=" + intArgs[0] + "x" + intArgs[1];
        }
    }

    /** Max, average or p-norm pooling through libnd4j's pooling ops, as DL4J's layer calls them. */
    public static final class Pooling extends Stage.Unary {
        private final String op;
        private final int[] intArgs;
        private final double pnormEps;

        /**
         * @param kind "max", "avg" or "pnorm"
         * @param extra for "avg", 1 to count padding in the divisor; for "pnorm", p
         * @param same TensorFlow's "same" padding, else the symmetric {@code padding}
         */
        public Pooling(String kind, int[] k, int[] s, int[] p, int[] d, boolean same, int extra, boolean channelsLast,
                double pnormEps) {
            this.op = switch (kind) {
                case "max" -> "maxpool2d";
                case "avg" -> "avgpool2d";
                case "pnorm" -> "pnormpool2d";
                default -> throw new IllegalArgumentException("Pooling type " + kind + " is not supported");
            };
            this.intArgs = new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same ? 1 : 0, extra,
                    channelsLast ? 1 : 0};
            this.pnormEps = pnormEps;
        }

        /** Max pooling is {@link Kind#MAX_POOL}, average pooling {@link Kind#AFFINE}, p-norm pooling neither. */
        @Override
        public Kind kind() {
            return switch (op) {
                case "maxpool2d" -> Kind.MAX_POOL;
                case "avgpool2d" -> Kind.AFFINE;
                default -> Kind.OTHER;
            };
        }

        /** Average pooling's coefficients are non-negative and it has no offset: it is its own absolute map. */
        @Override
        public Stage absolute() {
            return kind() == Kind.AFFINE ? this : null;
        }

        /** Max pooling commutes with ReLU, so ReLU may be applied on the smaller pooled array. */
        public boolean isMax() {
            return op.equals("maxpool2d");
        }

        /**
         * Whether {@code x} is NCHW and max-pooled in windows that tile it exactly (kernel = stride,
         * no padding, no dilation, height and width multiples of the kernel), the common 2x2 /
         * stride 2 case. There the forward pass is a reshape and one reduction, 3x faster than
         * libnd4j's NCHW maxpool2d on the reference CNN's shapes (NHWC's op is already as fast). The
         * backward pass stays maxpool2d_bp: written with ND4J's array ops (window-last permutation,
         * arg-max and one-hot; or space_to_depth and masks) it was 4x slower, their strided copies
         * costing more than the op's own loop.
         */
        private boolean tiles(INDArray x) {
            return isMax() && x.rank() == 4 && intArgs[10] == 0 && intArgs[0] == intArgs[2] && intArgs[1] == intArgs[3]
                    && intArgs[4] == 0 && intArgs[5] == 0 && intArgs[6] == 1 && intArgs[7] == 1
                    && x.size(2) % intArgs[0] == 0 && x.size(3) % intArgs[1] == 0;
        }

        @Override
        protected INDArray forward(INDArray x) {
            if (tiles(x)) {
                int kh = intArgs[0];
                int kw = intArgs[1];
                INDArray c = x.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x) ? x
                        : x.dup('c');
                return c.reshape(x.size(0), x.size(1), x.size(2) / kh, kh, x.size(3) / kw, kw).max(3, 5);
            }
            return Nd4j.exec(DynamicCustomOp.builder(op).addInputs(x).addIntegerArguments(intArgs).build())[0];
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            INDArray gradIn = Nd4j.createUninitialized(x.dataType(), x.shape());
            DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op + "_bp")
                    .addInputs(x, gradOut).addOutputs(gradIn).addIntegerArguments(intArgs);
            if (op.equals("pnormpool2d")) {
                b.addFloatingPointArguments(pnormEps);
            }
            Nd4j.exec(b.build());
            return gradIn;
        }

        @Override
        public String describe() {
            return op + " k=" + intArgs[0] + "x" + intArgs[1];
        }
    }

    /**
     * A fixed affine map per channel, {@code y = x * scale + shift}: batch normalization in
     * inference mode (scale {@code gamma / sqrt(var + eps)}, shift {@code beta - mean * scale}).
     * The supplier gives {@code {scale, shift}} as vectors; it is called on every pass, so it may
     * follow a network through training.
     */
    public static final class ChannelAffine extends Stage.Unary {
        private final Supplier<INDArray[]> scaleShift;
        private final boolean channelsLast;

        /** @param channelsLast whether a rank-4 input is NHWC (else NCHW); rank-2 inputs are {@code [n, channels]} */
        public ChannelAffine(Supplier<INDArray[]> scaleShift, boolean channelsLast) {
            this.scaleShift = scaleShift;
            this.channelsLast = channelsLast;
        }

        private int channelDim(INDArray x) {
            return x.rank() == 4 && channelsLast ? 3 : 1;
        }

        @Override
        protected INDArray forward(INDArray x) {
            INDArray[] ab = scaleShift.get();
            int c = channelDim(x);
            INDArray y = x.rank() == 2 ? x.mulRowVector(ab[0]) : broadcast(x, ab[0], c);
            if (x.rank() == 2) {
                return y.addiRowVector(ab[1]);
            }
            Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp(y, ab[1], y, c));
            return y;
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            INDArray scale = scaleShift.get()[0];
            return gradOut.rank() == 2 ? gradOut.mulRowVector(scale) : broadcast(gradOut, scale, channelDim(x));
        }

        private static INDArray broadcast(INDArray x, INDArray v, int dim) {
            INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
            Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp(x, v, out, dim));
            return out;
        }

        @Override
        public boolean hasParameters() {
            return true;
        }

        @Override
        public String perExampleProblem() {
            return "batch normalization (in training it mixes the examples of a batch, so no example has a"
                    + " gradient of its own)";
        }

        @Override
        public Kind kind() {
            return Kind.AFFINE;
        }

        @Override
        public Stage absolute() {
            return new ChannelAffine(() -> {
                INDArray scale = scaleShift.get()[0];
                return new INDArray[] {Transforms.abs(scale, true), Nd4j.zeros(scale.dataType(), scale.shape())};
            }, channelsLast);
        }

        @Override
        public String describe() {
            return "batchnorm (running statistics)";
        }
    }

    /**
     * Flattening {@code [n, ...]} to {@code [n, rest]} in C order, as DL4J's
     * CnnToFeedForwardPreProcessor does for both NCHW and NHWC: a view where the input allows it.
     */
    public static final class Flatten extends Stage.Unary {
        @Override
        protected INDArray forward(INDArray x) {
            return x.reshape('c', x.size(0), x.length() / x.size(0));
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return gradOut.reshape('c', x.shape());
        }

        @Override
        public Kind kind() {
            return Kind.AFFINE;
        }

        @Override
        public Stage absolute() {
            return this;
        }

        @Override
        public String describe() {
            return "flatten";
        }
    }

    /** An element-wise function of several inputs of one shape (graph vertices). */
    public static final class ElementWise implements Stage {
        private final String name;
        private final Function<INDArray[], INDArray> fwd;
        private final BackwardRule rule;
        private final Stage absolute;

        public interface BackwardRule {
            INDArray[] apply(INDArray[] in, INDArray gradOut);
        }

        /** A combination that is not linear (bound propagation refuses it). */
        public ElementWise(String name, Function<INDArray[], INDArray> fwd, BackwardRule rule) {
            this(name, fwd, rule, null, false);
        }

        private ElementWise(String name, Function<INDArray[], INDArray> fwd, BackwardRule rule, Stage absolute,
                boolean selfAbsolute) {
            this.name = name;
            this.fwd = fwd;
            this.rule = rule;
            this.absolute = selfAbsolute ? this : absolute;
        }

        /**
         * A linear combination without offset (sum, average, concatenation, difference).
         *
         * @param absolute the combination with absolute coefficients, or {@code null} when every
         *     coefficient is already non-negative
         */
        public static ElementWise linear(String name, Function<INDArray[], INDArray> fwd, BackwardRule rule,
                ElementWise absolute) {
            return new ElementWise(name, fwd, rule, absolute, absolute == null);
        }

        @Override
        public Kind kind() {
            return absolute == null ? Kind.OTHER : Kind.AFFINE;
        }

        @Override
        public Stage absolute() {
            return absolute;
        }

        @Override
        public INDArray forward(INDArray[] in) {
            return fwd.apply(in);
        }

        @Override
        public INDArray[] backward(INDArray[] in, INDArray out, INDArray gradOut) {
            return rule.apply(in, gradOut);
        }

        @Override
        public String describe() {
            return name;
        }
    }
}
