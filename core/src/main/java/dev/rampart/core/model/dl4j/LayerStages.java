package dev.rampart.core.model.dl4j;

import dev.rampart.core.model.program.Stage;
import dev.rampart.core.model.program.Stages;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The shared {@link Stages} bound to DL4J layers' parameters, and the stages only DL4J needs. */
final class LayerStages {

    private LayerStages() {
    }

    static Stage dense(Layer layer, boolean hasBias) {
        return new Stages.Dense(() -> layer.getParam(DefaultParamInitializer.WEIGHT_KEY),
                hasBias ? () -> layer.getParam(DefaultParamInitializer.BIAS_KEY) : null);
    }

    static Stage convolution(Layer layer, ConvolutionLayer conf) {
        return new Stages.Convolution(() -> layer.getParam(DefaultParamInitializer.WEIGHT_KEY),
                conf.hasBias() ? () -> layer.getParam(DefaultParamInitializer.BIAS_KEY) : null, conf.getKernelSize(),
                conf.getStride(), conf.getPadding(), conf.getDilation(),
                conf.getConvolutionMode() == ConvolutionMode.Same, conf.getCnn2dDataFormat() == CNN2DFormat.NHWC);
    }

    static Stages.Pooling pooling(SubsamplingLayer conf) {
        int extra;
        String kind;
        switch (conf.getPoolingType()) {
            case MAX -> {
                kind = "max";
                extra = 0;
            }
            case AVG -> {
                kind = "avg";
                extra = conf.isAvgPoolIncludePadInDivisor() ? 1 : 0;
            }
            case PNORM -> {
                kind = "pnorm";
                extra = conf.getPnorm();
            }
            default -> throw new UnsupportedLayerException("Pooling type " + conf.getPoolingType() + " is not supported");
        }
        return new Stages.Pooling(kind, conf.getKernelSize(), conf.getStride(), conf.getPadding(), conf.getDilation(),
                conf.getConvolutionMode() == ConvolutionMode.Same, extra, conf.getCnn2dDataFormat() == CNN2DFormat.NHWC,
                conf.getEps());
    }

    /** Batch normalization from the layer's running statistics, read on every pass. */
    static Stage batchNorm(Layer layer, BatchNormalization conf) {
        return new Stages.ChannelAffine(() -> {
            INDArray scale = scale(layer, conf);
            return new INDArray[] {scale, shift(layer, conf, scale)};
        }, conf.getCnn2DFormat() == CNN2DFormat.NHWC);
    }

        /** Per-channel scale; with {@code lockGammaBeta}, gamma is applied as DL4J's output does. */
        private static INDArray scale(Layer layer, BatchNormalization conf) {
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
            } else if (lockedAffineApplies(conf)) {
                inv.muli(conf.getGamma());
            }
            return inv.reshape(-1);
        }

        private static INDArray shift(Layer layer, BatchNormalization conf, INDArray scale) {
            INDArray mean = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(-1);
            INDArray shift = mean.mul(scale).negi();
            if (!conf.isLockGammaBeta()) {
                shift.addi(layer.getParam(BatchNormalizationParamInitializer.BETA).reshape(-1));
            } else if (lockedAffineApplies(conf)) {
                shift.addi(conf.getBeta());
            }
            return shift;
        }

        /** DL4J's output skips fixed gamma/beta unless gamma != 1 and beta != 0; mirror it exactly. */
        private static boolean lockedAffineApplies(BatchNormalization conf) {
            return conf.getGamma() != 1.0 && conf.getBeta() != 0.0;
        }

    /** An input preprocessor (reshapes between convolutional and dense layers, and the like). */
    static final class Preprocessor extends Stage.Unary {
        private final InputPreProcessor pre;

        Preprocessor(InputPreProcessor pre) {
            this.pre = pre;
        }

        @Override
        protected INDArray forward(INDArray x) {
            return pre.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces()).dup();
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
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
        protected INDArray forward(INDArray x) {
            layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
            INDArray out = layer.activate(false, LayerWorkspaceMgr.noWorkspaces()).dup();
            layer.clear();
            return out;
        }

        @Override
        protected INDArray backward(INDArray x, INDArray out, INDArray gradOut) {
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

}
