package dev.rampart.core.model.dl4j;

import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.model.program.InferenceProgram;
import dev.rampart.core.model.program.ProgramClassifier;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the DL4J adapters share beyond {@link ProgramClassifier}: training, per-example gradients
 * and layer activations.
 */
abstract class Dl4jModel extends ProgramClassifier implements ActivationModel, PerExampleGradients {

    Dl4jModel(long[] inputShape, InputDomain domain, int numClasses, DataType dataType, InferenceProgram program) {
        super(inputShape, domain, numClasses, dataType, program);
    }

    /**
     * Whether the network can take its input shape. The shape is propagated through the
     * configuration ({@link #layerInputs}), and each dense layer's input count and each
     * convolution's channels are compared with what reaches them; then one zero example is passed
     * forward for what that does not cover (and for networks with channels-last convolutions,
     * whose images the propagation would read channels first). A mismatch is refused where the
     * network is wrapped, naming the shape and the layer, rather than deep inside an attack with a
     * native operation's message (an MLP of 784 inputs given 14x14 images failed in matmul,
     * after the C++ library printed its own error).
     *
     * @throws IllegalArgumentException if the network cannot take one example of the input shape
     */
    final void checkInputShape() {
        long[] shape = inputShape();
        long values = java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact);
        String what = "the network does not take examples of shape " + java.util.Arrays.toString(shape) + " ("
                + values + " values): ";
        java.util.Map<String, LayerInput> inputs;
        try {
            inputs = layerInputs(InputType.inferInputType(Nd4j.zeros(dataType(), withBatch(shape))));
        } catch (RuntimeException e) {
            inputs = java.util.Map.of(); // a configuration the propagation does not follow: the forward pass decides
        }
        if (inputs.values().stream().anyMatch(li -> channelsLast(li.layer()))) {
            inputs = java.util.Map.of(); // the propagation reads images channels first: the forward pass decides
        }
        for (java.util.Map.Entry<String, LayerInput> e : inputs.entrySet()) {
            org.deeplearning4j.nn.conf.layers.Layer l = e.getValue().layer();
            InputType in = e.getValue().input();
            if (l instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c
                    && in instanceof InputType.InputTypeConvolutional ct && c.getNIn() > 0
                    && c.getNIn() != ct.getChannels()) {
                throw new IllegalArgumentException(what + "layer '" + e.getKey() + "' takes " + c.getNIn()
                        + " channels, and " + ct.getChannels() + " reach it");
            }
            if ((l instanceof org.deeplearning4j.nn.conf.layers.DenseLayer
                    || l instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer)
                    && in instanceof InputType.InputTypeFeedForward ft) {
                long nIn = ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) l).getNIn();
                if (nIn > 0 && nIn != ft.getSize()) {
                    throw new IllegalArgumentException(what + "layer '" + e.getKey() + "' takes " + nIn
                            + " values, and " + ft.getSize() + " reach it");
                }
            }
        }
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = dev.rampart.core.memory.Workspaces.outside()) {
            computeLogits(Nd4j.zeros(dataType(), withBatch(shape)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + e.getMessage(), e);
        }
    }

    /**
     * A layer's configuration as built, and what reaches it (after its preprocessor).
     *
     * @param layer the layer's configuration, with the input sizes the network was built with
     * @param input the type that reaches it when the network is given its input shape
     */
    record LayerInput(org.deeplearning4j.nn.conf.layers.Layer layer, InputType input) {
    }

    /**
     * What reaches each layer when the network is given {@code input}, by layer name in network
     * order; layers fed by more than one vertex are left out. Works on a copy of the
     * configuration: DL4J's shape propagation sets the layers' input sizes as it goes.
     */
    abstract java.util.Map<String, LayerInput> layerInputs(InputType input);

    private static boolean channelsLast(org.deeplearning4j.nn.conf.layers.Layer l) {
        org.deeplearning4j.nn.conf.CNN2DFormat nhwc = org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        return l instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c && c.getCnn2dDataFormat() == nhwc
                || l instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer p && p.getCnn2dDataFormat() == nhwc
                || l instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization b && b.getCnn2DFormat() == nhwc;
    }

    private static long[] withBatch(long[] shape) {
        long[] one = new long[shape.length + 1];
        one[0] = 1;
        System.arraycopy(shape, 0, one, 1, shape.length);
        return one;
    }

    @Override
    public final GradientNorms parameterGradientNorms(INDArray x, INDArray labels) {
        INDArray[] in = perExampleBatch(x, labels);
        return program().parameterGradientNorms(in[0], in[1]);
    }

    /** {@code x} and {@code labels} checked and in the model's type, for a per-example pass. */
    private INDArray[] perExampleBatch(INDArray x, INDArray labels) {
        INDArray in = Inputs.asType(this, x, "x");
        Inputs.checkLabelMatrix(labels, in.size(0), numClasses(), "labels");
        INDArray y = labels.dataType() == dataType() ? labels : labels.castTo(dataType());
        String dropout = dropoutLayer();
        if (dropout != null) {
            throw new UnsupportedOperationException("per-example gradients are not available for layer " + dropout
                    + " with dropout (training and inference compute different functions; remove the dropout)");
        }
        return new INDArray[] {in, y};
    }

    /**
     * From the compiled program's one backward pass: every parameter belongs to a dense or
     * convolution stage, which keeps its per-example gradients, so the clipped sum needs no second
     * (DL4J) pass. Falls back to the two-pass default when some parameter is outside such a stage.
     */
    @Override
    public final ClippedGradient clippedGradient(INDArray x, INDArray labels, double clipNorm) {
        if (!(clipNorm > 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be positive and finite, found " + clipNorm);
        }
        INDArray[] in = perExampleBatch(x, labels);
        if (!clipsInOnePass()) {
            return PerExampleGradients.super.clippedGradient(x, labels, clipNorm);
        }
        INDArray params = parameters();
        InferenceProgram.Clipped c = program().clippedGradients(in[0], in[1], clipNorm);
        INDArray flat = Nd4j.zeros(dataType(), 1, params.length());
        java.util.List<dev.rampart.core.model.program.Stage> stages = program().stages();
        for (int i = 0; i < stages.size(); i++) {
            if (c.sums()[i] != null) {
                INDArray[] views = stages.get(i).parameterArrays();
                for (int k = 0; k < views.length; k++) {
                    sameLayout(views[k], params, flat).assign(c.sums()[i][k]);
                }
            }
        }
        return new ClippedGradient(c.norms(), c.factors(), flat, c.probabilities());
    }

    /** Whether the stages' parameter arrays are views of the parameters that cover all of them. */
    final boolean clipsInOnePass() {
        INDArray params = parameters();
        long covered = 0;
        for (dev.rampart.core.model.program.Stage s : program().stages()) {
            if (s.hasParameters()) {
                INDArray[] views = s.parameterArrays();
                if (views.length == 0) {
                    return false;
                }
                for (INDArray v : views) {
                    if (v.data() != params.data() && v.data().originalDataBuffer() != params.data()
                            && v.data() != params.data().originalDataBuffer()) {
                        return false;
                    }
                    covered += v.length();
                }
            }
        }
        return covered == params.length();
    }

    /** The view of {@code flat} laid out as {@code view} is in {@code params} (same offset, shape, strides, order). */
    private static INDArray sameLayout(INDArray view, INDArray params, INDArray flat) {
        long offset = view.offset() - params.offset();
        return Nd4j.create(flat.data(), view.shape(), view.stride(), offset, view.ordering());
    }

    @Override
    public final INDArray parameterGradient(INDArray x, INDArray labels) {
        INDArray in = Inputs.asType(this, x, "x");
        Inputs.checkLabelMatrix(labels, in.size(0), numClasses(), "labels");
        // DL4J's own training pass manages its workspaces: it runs outside the caller's
        try (org.nd4j.linalg.api.memory.MemoryWorkspace out = dev.rampart.core.memory.Workspaces.outside()) {
            return summedGradient(new DataSet(in, labels.dataType() == dataType() ? labels : labels.castTo(dataType())));
        }
    }

    @Override
    public final void applyGradient(INDArray gradient, int batchSize) {
        if (gradient == null || gradient.length() != parameters().length()) {
            throw new IllegalArgumentException("gradient must have " + parameters().length() + " values (one per"
                    + " parameter), found " + (gradient == null ? "null" : gradient.length()));
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        if (!Double.isFinite(gradient.sumNumber().doubleValue())) {
            throw new IllegalArgumentException("gradient holds NaN or infinite values");
        }
        // the updater's state is made on its first use and must outlive any workspace of the caller
        try (org.nd4j.linalg.api.memory.MemoryWorkspace out = dev.rampart.core.memory.Workspaces.outside()) {
            update(gradient.reshape(1, -1).castTo(dataType()), batchSize);
        }
    }

    /** The name of a layer with dropout, or {@code null}. */
    abstract String dropoutLayer();

    /** The network's own gradient of the batch, summed over its examples, as a new flat array. */
    abstract INDArray summedGradient(DataSet batch);

    /** One update of the network's parameters by its updater from a flat gradient summed over {@code batchSize}. */
    abstract void update(INDArray gradient, int batchSize);

    @Override
    public final boolean softmaxCrossEntropyOutput() {
        return program().softmaxCrossEntropy();
    }

    @Override
    public abstract Dl4jModel copy();

    /**
     * Hidden layer {@code layer}'s output from the compiled program (the kernels predictions use,
     * several times faster than DL4J's own forward pass on convolutions), or null when the program
     * does not hold it and DL4J's forward pass must give it.
     */
    final INDArray compiledActivations(INDArray checkedInput, String layer) {
        return program().layerOutput(checkedInput, layer);
    }

    /**
     * A training batch checked like a query, with its label rows (finite, summing to 1; signed
     * soft labels allowed, see {@link TrainableModel#softmaxCrossEntropyOutput()}), both in the
     * model's type.
     */
    final DataSet checkedBatch(INDArray x, INDArray labels) {
        INDArray in = checkedInput(x);
        return new DataSet(in, checkedLabels(labels, in.size(0), true));
    }

    /** The layer index of {@code layer}, or a message naming the known layers. */
    final int layerIndex(String layer) {
        int idx = layerNames().indexOf(layer);
        if (idx < 0) {
            throw new IllegalArgumentException("layer '" + layer + "' is not one of " + layerNames());
        }
        return idx;
    }
}
