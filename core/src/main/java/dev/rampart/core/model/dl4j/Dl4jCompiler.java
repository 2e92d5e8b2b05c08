package dev.rampart.core.model.dl4j;

import dev.rampart.core.model.program.InferenceProgram;
import dev.rampart.core.model.program.Stage;
import dev.rampart.core.model.program.Stages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Compiles DL4J networks into {@link InferenceProgram}s.
 *
 * <p>Supported layers: Dense, Output, Loss, Convolution (2-D), Subsampling (max, average,
 * p-norm), BatchNormalization, Activation, Dropout (the identity at inference), GlobalPooling,
 * ZeroPadding, Cropping2D, Upsampling2D and Rampart's ScatteringLayer; every input preprocessor; graph vertices Merge,
 * ElementWise (add, subtract, product, average) and Preprocessor. Anything else is refused with
 * an {@link UnsupportedLayerException} naming the layer.
 */
final class Dl4jCompiler {

    private Dl4jCompiler() {
    }

    static InferenceProgram compile(MultiLayerNetwork net) {
        int n = net.getnLayers();
        if (n == 0) {
            throw new IllegalArgumentException("The network has no layers");
        }
        Builder b = new Builder(true);
        int current = 0;
        for (int i = 0; i < n; i++) {
            String where = "layer " + i + " (" + net.getLayer(i).conf().getLayer().getClass().getSimpleName() + ")";
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pre != null) {
                current = b.add(preprocessor(pre), current);
            }
            boolean last = i == n - 1;
            current = b.layer(net.getLayer(i), current, last, where);
            if (!last) {
                String name = net.getLayer(i).conf().getLayer().getLayerName();
                b.mark(name == null ? String.valueOf(i) : name, current);
            }
        }
        return b.build();
    }

    static InferenceProgram compile(ComputationGraph graph) {
        var conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new UnsupportedLayerException("Only graphs with one input and one output are supported, found inputs "
                    + conf.getNetworkInputs() + " and outputs " + conf.getNetworkOutputs());
        }
        String outputName = conf.getNetworkOutputs().get(0);
        Builder b = new Builder(false);
        Map<String, Integer> nodeOf = new HashMap<>();
        nodeOf.put(conf.getNetworkInputs().get(0), 0);
        for (int idx : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[idx].getVertexName();
            if (nodeOf.containsKey(name)) {
                continue;
            }
            GraphVertex v = conf.getVertices().get(name);
            List<String> inNames = conf.getVertexInputs().get(name);
            int[] in = new int[inNames.size()];
            for (int k = 0; k < in.length; k++) {
                in[k] = nodeOf.get(inNames.get(k));
            }
            String where = "vertex '" + name + "' (" + v.getClass().getSimpleName() + ")";
            boolean last = name.equals(outputName);
            int node;
            if (v instanceof LayerVertex lv) {
                int cur = single(in, where);
                if (lv.getPreProcessor() != null) {
                    cur = b.add(preprocessor(lv.getPreProcessor()), cur);
                }
                node = b.layer(graph.getLayer(name), cur, last, where);
                if (!last) {
                    b.mark(name, node);
                }
            } else if (last) {
                throw new UnsupportedLayerException("The output " + where + " must be an output or loss layer");
            } else if (v instanceof PreprocessorVertex pv) {
                node = b.add(preprocessor(pv.getPreProcessor()), single(in, where));
            } else if (v instanceof MergeVertex mv) {
                node = b.add(merge(mv.getMergeAxis()), in);
            } else if (v instanceof ElementWiseVertex ev) {
                node = b.add(elementWise(ev.getOp(), where), in);
            } else {
                throw new UnsupportedLayerException(where + " is not supported by Rampart's inference-mode gradients");
            }
            nodeOf.put(name, node);
        }
        return b.build();
    }

    /** A flattening preprocessor becomes a reshape; any other runs through DL4J's own code. */
    private static Stage preprocessor(InputPreProcessor pre) {
        return pre instanceof CnnToFeedForwardPreProcessor ? new Stages.Flatten() : new LayerStages.Preprocessor(pre);
    }

    private static int single(int[] in, String where) {
        if (in.length != 1) {
            throw new UnsupportedLayerException(where + " has " + in.length + " inputs; one is supported");
        }
        return in[0];
    }

    private static Stage merge(int axis) {
        return Stages.ElementWise.linear("merge", in -> Nd4j.concat(axis, in), (in, g) -> {
            INDArray[] out = new INDArray[in.length];
            long start = 0;
            for (int k = 0; k < in.length; k++) {
                INDArrayIndex[] idx = NDArrayIndex.allFor(g);
                long size = in[k].size(axis);
                idx[axis] = NDArrayIndex.interval(start, start + size);
                out[k] = g.get(idx).dup();
                start += size;
            }
            return out;
        }, null);
    }

    private static Stage elementWise(ElementWiseVertex.Op op, String where) {
        return switch (op) {
            case Add -> add();
            case Average -> Stages.ElementWise.linear("average", in -> sum(in).divi(in.length),
                    (in, g) -> repeat(g, in.length, 1.0 / in.length), null);
            case Subtract -> Stages.ElementWise.linear("subtract", in -> in[0].sub(in[1]),
                    (in, g) -> new INDArray[] {g.dup(), g.neg()}, add());
            case Product -> new Stages.ElementWise("product", in -> {
                INDArray p = in[0].dup();
                for (int k = 1; k < in.length; k++) {
                    p.muli(in[k]);
                }
                return p;
            }, (in, g) -> {
                INDArray[] out = new INDArray[in.length];
                for (int k = 0; k < in.length; k++) {
                    out[k] = g.dup();
                    for (int j = 0; j < in.length; j++) {
                        if (j != k) {
                            out[k].muli(in[j]);
                        }
                    }
                }
                return out;
            });
            default -> throw new UnsupportedLayerException(where + " uses element-wise op " + op + ", not supported");
        };
    }

    private static Stages.ElementWise add() {
        return Stages.ElementWise.linear("add", in -> sum(in), (in, g) -> repeat(g, in.length, 1.0), null);
    }

    private static INDArray sum(INDArray[] in) {
        INDArray s = in[0].dup();
        for (int k = 1; k < in.length; k++) {
            s.addi(in[k]);
        }
        return s;
    }

    private static INDArray[] repeat(INDArray g, int n, double scale) {
        INDArray[] out = new INDArray[n];
        for (int k = 0; k < n; k++) {
            out[k] = g.mul(scale);
        }
        return out;
    }

    /** Accumulates nodes; the head is set by the output layer. */
    private static final class Builder {
        private final boolean chain;
        private final List<InferenceProgram.Node> nodes = new ArrayList<>();
        private IActivation headActivation;
        private ILossFunction headLoss;
        /** Each hidden layer's output value, as DL4J's forward pass gives it. */
        private final Map<String, Integer> layerValues = new HashMap<>();

        Builder(boolean chain) {
            this.chain = chain;
        }

        /** Records that value {@code value} is layer {@code name}'s output. */
        void mark(String name, int value) {
            layerValues.put(name, value);
        }

        int add(Stage stage, int... inputs) {
            nodes.add(new InferenceProgram.Node(stage, inputs));
            return nodes.size();
        }

        int activation(IActivation fn, int input) {
            if (fn == null || fn instanceof ActivationIdentity) {
                return input;
            }
            return add(fn instanceof ActivationReLU ? new Stages.Relu() : new Stages.Activation(fn), input);
        }

        /**
         * Max pooling after a ReLU: pool first, then apply the ReLU to the four-times smaller
         * result. Both orders give the same values (ReLU is non-decreasing) and the same gradient
         * (where they could differ, the ReLU's gradient is zero). Only in a chain, where no other
         * node reads the ReLU's output.
         */
        int pooling(Stages.Pooling pool, int input) {
            int last = nodes.size();
            InferenceProgram.Node prev = last == 0 ? null : nodes.get(last - 1);
            if (chain && pool.isMax() && input == last && prev != null && prev.stage() instanceof Stages.Relu) {
                nodes.set(last - 1, new InferenceProgram.Node(pool, prev.inputs()));
                // the layer whose output was the ReLU's no longer has its value in the program
                layerValues.values().removeIf(v -> v == last);
                return add(new Stages.Relu(), last);
            }
            return add(pool, input);
        }


        int layer(Layer layer, int input, boolean last, String where) {
            var conf = layer.conf().getLayer();
            if (conf instanceof BaseOutputLayer out) {
                if (!last) {
                    throw new UnsupportedLayerException(where + ": an output layer is only supported at the end");
                }
                if (!(conf instanceof OutputLayer)) {
                    throw new UnsupportedLayerException(where + " is not supported as the output layer");
                }
                headActivation = out.getActivationFn();
                headLoss = out.getLossFn();
                return add(LayerStages.dense(layer, out.hasBias()), input);
            }
            if (conf instanceof LossLayer loss) {
                if (!last) {
                    throw new UnsupportedLayerException(where + ": a loss layer is only supported at the end");
                }
                headActivation = loss.getActivationFn();
                headLoss = loss.getLossFn();
                return input;
            }
            if (last) {
                throw new UnsupportedLayerException(where + ": the last layer must be an OutputLayer or LossLayer");
            }
            if (conf instanceof DenseLayer dense && dense.getClass() == DenseLayer.class) {
                if (dense.hasLayerNorm()) {
                    throw new UnsupportedLayerException(where + ": dense layers with layer normalization are not supported");
                }
                return activation(dense.getActivationFn(), add(LayerStages.dense(layer, dense.hasBias()), input));
            }
            if (conf instanceof ConvolutionLayer cl && cl.getClass() == ConvolutionLayer.class) {
                return activation(cl.getActivationFn(), add(LayerStages.convolution(layer, cl), input));
            }
            if (conf instanceof SubsamplingLayer sl && sl.getClass() == SubsamplingLayer.class) {
                return pooling(LayerStages.pooling(sl), input);
            }
            if (conf instanceof BatchNormalization bn) {
                // DL4J's BatchNormalization layer never applies its configured activation; mirror output().
                return add(LayerStages.batchNorm(layer, bn), input);
            }
            if (conf instanceof ActivationLayer al) {
                return activation(al.getActivationFn(), input);
            }
            if (conf instanceof DropoutLayer) {
                return input; // dropout is the identity when the model predicts
            }
            if (conf instanceof dev.rampart.core.model.scattering.ScatteringLayer scattering) {
                return add(scattering.inferenceStage(), input);
            }
            if (conf instanceof GlobalPoolingLayer || conf instanceof ZeroPaddingLayer || conf instanceof Cropping2D
                    || (conf instanceof Upsampling2D && conf.getClass() == Upsampling2D.class)) {
                return add(new LayerStages.Delegate(layer), input);
            }
            throw new UnsupportedLayerException(where + " is not supported by Rampart's inference-mode gradients");
        }

        InferenceProgram build() {
            if (headLoss == null) {
                throw new UnsupportedLayerException("The network has no OutputLayer or LossLayer at its end");
            }
            return new InferenceProgram(nodes, headActivation, headLoss, layerValues);
        }
    }
}
