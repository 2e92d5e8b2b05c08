package dev.rampart.core.model.dl4j;

import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The stages an {@link InferenceProgram} is made of, one per kind of DL4J computation. */
final class Stages {

    private Stages() {
    }

    /**
     * {@code x W + b}, for DenseLayer and the affine part of OutputLayer. Products go through
     * libnd4j's matmul op, which took 23-28% less time than {@code INDArray.mmul} on the reference
     * MLP's shapes in one interleaved measurement, with identical results.
     */
    static final class Dense extends Stage.Unary {
        private final Layer layer;
        private final boolean hasBias;

        Dense(Layer layer, boolean hasBias) {
            this.layer = layer;
            this.hasBias = hasBias;
        }

        @Override
        INDArray forward(INDArray x) {
            INDArray z = matmul(x, layer.getParam(DefaultParamInitializer.WEIGHT_KEY), false);
            return hasBias ? z.addiRowVector(layer.getParam(DefaultParamInitializer.BIAS_KEY)) : z;
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return matmul(gradOut, layer.getParam(DefaultParamInitializer.WEIGHT_KEY), true);
        }

        @Override
        public boolean hasParameters() {
            return true;
        }

        /** Example {@code i}'s weight gradient is {@code a_i d_i^T}: squared norm {@code |a_i|^2 |d_i|^2}. */
        @Override
        public void addParameterGradientNorms(INDArray[] in, INDArray gradOut, double[] norms) {
            INDArray a = in[0].reshape(in[0].size(0), -1);
            double[] aa = rowSquares(a);
            double[] dd = rowSquares(gradOut);
            for (int i = 0; i < norms.length; i++) {
                norms[i] += aa[i] * dd[i] + (hasBias ? dd[i] : 0);
            }
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
    static double[] rowSquares(INDArray a) {
        INDArray flat = a.reshape(a.size(0), -1);
        return flat.mul(flat).sum(1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
    }

    /**
     * ReLU. The backward pass is {@code gradOut * sign(out)}: the output is 0 or positive, so its
     * sign is the ReLU's derivative (0 at 0, as libnd4j's relu_bp has it), in two streaming passes,
     * measured 2-4x faster than relu_bp.
     */
    static final class Relu extends Stage.Unary {
        @Override
        INDArray forward(INDArray x) {
            return Transforms.relu(x, true);
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return gradOut.muli(Transforms.sign(out, true));
        }

        @Override
        public String describe() {
            return "relu";
        }
    }

    /** An element-wise activation function, through DL4J's own implementation. */
    static final class Activation extends Stage.Unary {
        private final IActivation fn;

        Activation(IActivation fn) {
            this.fn = fn;
        }

        @Override
        INDArray forward(INDArray x) {
            return fn.getActivation(x.dup(), false);
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return fn.backprop(x.dup(), gradOut).getFirst();
        }

        @Override
        public String describe() {
            return "activation " + fn;
        }
    }

    /** 2-D convolution through libnd4j's conv2d/conv2d_bp ops (oneDNN- and cuDNN-backed). */
    static final class Convolution extends Stage.Unary {
        private final Layer layer;
        private final boolean hasBias;
        private final int[] intArgs;
        /** Transposed convolution gives the input gradient alone when padding is explicit. */
        private final boolean inputGradByDeconv;

        Convolution(Layer layer, ConvolutionLayer conf) {
            this.layer = layer;
            this.hasBias = conf.hasBias();
            int[] k = conf.getKernelSize();
            int[] s = conf.getStride();
            int[] p = conf.getPadding();
            int[] d = conf.getDilation();
            boolean same = conf.getConvolutionMode() == ConvolutionMode.Same;
            int nhwc = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC ? 1 : 0;
            int weightsOiyx = 1; // DL4J stores weights as [out, in, kH, kW]
            this.intArgs = new int[] {k[0], k[1], s[0], s[1], same ? 0 : p[0], same ? 0 : p[1], d[0], d[1],
                    same ? 1 : 0, nhwc, weightsOiyx};
            this.inputGradByDeconv = !same && d[0] == 1 && d[1] == 1;
        }

        @Override
        INDArray forward(INDArray x) {
            INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray[] in = hasBias
                    ? new INDArray[] {x, w, layer.getParam(DefaultParamInitializer.BIAS_KEY).reshape(-1)}
                    : new INDArray[] {x, w};
            return Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(in).addIntegerArguments(intArgs).build())[0];
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
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
                INDArray b = layer.getParam(DefaultParamInitializer.BIAS_KEY).reshape(-1);
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
         * batched product; its bias gradient is the output gradient summed over positions.
         */
        @Override
        public void addParameterGradientNorms(INDArray[] in, INDArray gradOut, double[] norms) {
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
                    .addIntegerArguments(0, 1).build())[0];                                    // [n, out, K]
            double[] w = rowSquares(perExample.reshape('c', n, -1));
            double[] b = hasBias ? rowSquares(d.sum(2)) : new double[(int) n];
            for (int i = 0; i < norms.length; i++) {
                norms[i] += w[i] + b[i];
            }
        }

        @Override
        public String perExampleProblem() {
            return intArgs[9] == 1 ? "a channels-last (NHWC) convolution" : null;
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
    static final class Pooling extends Stage.Unary {
        private final String op;
        private final int[] intArgs;
        private final double pnormEps;

        Pooling(SubsamplingLayer conf) {
            PoolingType type = conf.getPoolingType();
            int extra;
            switch (type) {
                case MAX -> {
                    op = "maxpool2d";
                    extra = 0;
                }
                case AVG -> {
                    op = "avgpool2d";
                    extra = conf.isAvgPoolIncludePadInDivisor() ? 1 : 0;
                }
                case PNORM -> {
                    op = "pnormpool2d";
                    extra = conf.getPnorm();
                }
                default -> throw new IllegalArgumentException("Pooling type " + type + " is not supported");
            }
            int[] k = conf.getKernelSize();
            int[] s = conf.getStride();
            int[] p = conf.getPadding();
            int[] d = conf.getDilation();
            boolean same = conf.getConvolutionMode() == ConvolutionMode.Same;
            int nhwc = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC ? 1 : 0;
            this.intArgs = new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same ? 1 : 0, extra, nhwc};
            this.pnormEps = conf.getEps();
        }

        /** Max pooling commutes with ReLU, so ReLU may be applied on the smaller pooled array. */
        boolean isMax() {
            return op.equals("maxpool2d");
        }

        @Override
        INDArray forward(INDArray x) {
            return Nd4j.exec(DynamicCustomOp.builder(op).addInputs(x).addIntegerArguments(intArgs).build())[0];
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
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
     * Batch normalization in inference mode: a fixed affine map per channel built from the running
     * statistics, {@code y = (x - mean) * gamma / sqrt(var + eps) + beta}.
     */
    static final class BatchNorm extends Stage.Unary {
        private final Layer layer;
        private final BatchNormalization conf;

        BatchNorm(Layer layer, BatchNormalization conf) {
            this.layer = layer;
            this.conf = conf;
        }

        /** Per-channel scale; with {@code lockGammaBeta}, gamma is applied as DL4J's output does. */
        private INDArray scale() {
            INDArray var;
            if (conf.isUseLogStd()) {
                INDArray log10s = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
                var = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, log10s.dataType()), log10s, false);
                var.muli(var);
            } else {
                var = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).dup();
            }
            INDArray inv = Transforms.pow(var.addi(conf.getEps()), -0.5, false);
            if (!conf.isLockGammaBeta()) {
                inv.muli(layer.getParam(BatchNormalizationParamInitializer.GAMMA));
            } else if (lockedAffineApplies()) {
                inv.muli(conf.getGamma());
            }
            return inv.reshape(-1);
        }

        private INDArray shift(INDArray scale) {
            INDArray mean = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(-1);
            INDArray shift = mean.mul(scale).negi();
            if (!conf.isLockGammaBeta()) {
                shift.addi(layer.getParam(BatchNormalizationParamInitializer.BETA).reshape(-1));
            } else if (lockedAffineApplies()) {
                shift.addi(conf.getBeta());
            }
            return shift;
        }

        /** DL4J's output skips fixed gamma/beta unless gamma != 1 and beta != 0; mirror it exactly. */
        private boolean lockedAffineApplies() {
            return conf.getGamma() != 1.0 && conf.getBeta() != 0.0;
        }

        private int channelDim(INDArray x) {
            return x.rank() == 4 && conf.getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
        }

        @Override
        INDArray forward(INDArray x) {
            INDArray scale = scale();
            INDArray shift = shift(scale);
            int c = channelDim(x);
            INDArray y = x.rank() == 2 ? x.mulRowVector(scale) : broadcastMul(x, scale, c);
            return x.rank() == 2 ? y.addiRowVector(shift) : broadcastInPlace(y, shift, c);
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            INDArray scale = scale();
            return gradOut.rank() == 2 ? gradOut.mulRowVector(scale) : broadcastMul(gradOut, scale, channelDim(x));
        }

        /** {@code x * v} with {@code v} along dimension {@code dim}, into a new array. */
        private static INDArray broadcastMul(INDArray x, INDArray v, int dim) {
            INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
            Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp(x, v, out, dim));
            return out;
        }

        private static INDArray broadcastInPlace(INDArray y, INDArray v, int dim) {
            Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp(y, v, y, dim));
            return y;
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
        public String describe() {
            return "batchnorm (running statistics)";
        }
    }

    /**
     * Flattening {@code [n, ...]} to {@code [n, rest]} in C order, as DL4J's
     * CnnToFeedForwardPreProcessor does for both NCHW and NHWC: a view where the input allows it.
     */
    static final class Flatten extends Stage.Unary {
        @Override
        INDArray forward(INDArray x) {
            return x.reshape('c', x.size(0), x.length() / x.size(0));
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return gradOut.reshape('c', x.shape());
        }

        @Override
        public String describe() {
            return "flatten";
        }
    }

    /** An input preprocessor (reshapes between convolutional and dense layers, and the like). */
    static final class Preprocessor extends Stage.Unary {
        private final InputPreProcessor pre;

        Preprocessor(InputPreProcessor pre) {
            this.pre = pre;
        }

        @Override
        INDArray forward(INDArray x) {
            return pre.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces()).dup();
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            return pre.backprop(gradOut, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces()).dup();
        }

        @Override
        public String describe() {
            return "preprocessor " + pre.getClass().getSimpleName();
        }
    }

    /**
     * A parameter-free layer that behaves the same in training and inference (global pooling,
     * zero padding, cropping, upsampling...), run through DL4J's own forward and backward code.
     */
    static final class Delegate extends Stage.Unary {
        private final Layer layer;

        Delegate(Layer layer) {
            this.layer = layer;
        }

        @Override
        INDArray forward(INDArray x) {
            layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
            INDArray out = layer.activate(false, LayerWorkspaceMgr.noWorkspaces()).dup();
            layer.clear();
            return out;
        }

        @Override
        INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
            layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
            layer.activate(false, LayerWorkspaceMgr.noWorkspaces());
            INDArray g = layer.backpropGradient(gradOut, LayerWorkspaceMgr.noWorkspaces()).getSecond().dup();
            layer.clear();
            return g;
        }

        @Override
        public boolean hasParameters() {
            return layer.numParams() > 0;
        }

        @Override
        public String perExampleProblem() {
            return layer.numParams() > 0 ? "layer " + describe() + " (its per-example gradients are not computed)" : null;
        }

        @Override
        public String describe() {
            return layer.getClass().getSimpleName();
        }
    }

    /** An element-wise function of several inputs of one shape (graph vertices). */
    static final class ElementWise implements Stage {
        private final String name;
        private final Function<INDArray[], INDArray> fwd;
        private final BackwardRule rule;

        interface BackwardRule {
            INDArray[] apply(INDArray[] in, INDArray gradOut);
        }

        ElementWise(String name, Function<INDArray[], INDArray> fwd, BackwardRule rule) {
            this.name = name;
            this.fwd = fwd;
            this.rule = rule;
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
