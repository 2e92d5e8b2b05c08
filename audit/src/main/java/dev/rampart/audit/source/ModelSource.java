package dev.rampart.audit.source;

import dev.rampart.core.io.IoErrors;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Standardized;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.onnx.OnnxClassifier;
import dev.rampart.core.model.onnx.OnnxUnsupportedException;
import dev.rampart.onnxruntime.OnnxRuntimeModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ModelFiles;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The models the tool can audit, by name or file: the bundled {@code standard} and {@code robust}
 * CNNs, DL4J {@code MultiLayerNetwork} and {@code ComputationGraph} zips (told apart by their
 * configuration), and Keras 1/2 HDF5 files imported by DL4J's {@code deeplearning4j-modelimport}
 * (Sequential models become a {@code MultiLayerNetwork}, functional ones a
 * {@code ComputationGraph}). A Keras model saved without its training configuration ends in a
 * softmax dense layer with no loss: that layer becomes an output layer with the same weights and
 * cross-entropy, so that its gradients can be taken.
 *
 * <p>ONNX files ({@code .onnx}, from PyTorch, tf2onnx or skl2onnx) are translated by
 * {@link OnnxClassifier} into Rampart's compiled inference path, with exact input gradients; a
 * graph with an operator the translator does not cover is run by ONNX Runtime as a black box
 * ({@link OnnxRuntimeModel}), which only query attacks can audit; the description says which and why.
 *
 * <pre>{@code
 * ModelSource.Loaded m = ModelSource.load("model.h5", InputOptions.DEFAULT, new long[] {1, 28, 28});
 * }</pre>
 */
public final class ModelSource {

    /** Name of the bundled standard reference CNN. */
    public static final String STANDARD = "standard";
    /** Name of the bundled adversarially trained reference CNN. */
    public static final String ROBUST = "robust";

    /**
     * A loaded model.
     *
     * @param name as given on the command line
     * @param description for reports
     * @param model the model attacks see: pixels in, standardized inside if asked
     */
    public record Loaded(String name, String description, Classifier model) {

        /** Whether the model gives gradients (white-box), rather than answering queries only. */
        public boolean whiteBox() {
            return model instanceof GradientClassifier;
        }

        /**
         * The model with its gradients.
         *
         * @throws IllegalArgumentException naming the model if it is a black box
         */
        public GradientClassifier gradientModel() {
            if (model instanceof GradientClassifier g) {
                return g;
            }
            throw new IllegalArgumentException("model " + name + " is " + description
                    + "; only query-only attacks apply to it");
        }
    }

    private ModelSource() {
    }

    /** Whether {@code name} is a bundled model. */
    public static boolean bundled(String name) {
        return STANDARD.equals(name) || ROBUST.equals(name);
    }

    /**
     * Checks that {@code name} is a bundled model or a readable file of a known format, without
     * loading it.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static void check(String name) throws IOException {
        if (name == null || name.isBlank()) {
            throw new IOException("empty model name (give standard, robust, or a model file)");
        }
        if (bundled(name)) {
            return;
        }
        Path file = Path.of(name);
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a model file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file (models are standard, robust, a DL4J zip, a"
                    + " Keras .h5 file or an ONNX file)");
        }
        if (!Files.isReadable(file)) {
            throw new IOException(file + ": not readable (permission denied)");
        }
        format(file);
    }

    /**
     * Loads a model for data whose examples have shape {@code dataShape} (channels first).
     *
     * @throws IOException naming the file and what is wrong with it
     * @throws IllegalArgumentException if the options do not fit the model
     */
    public static Loaded load(String name, InputOptions options, long[] dataShape) throws IOException {
        check(name);
        long[] shape = options.inputShape() != null ? options.inputShape() : modelShape(dataShape, options);
        InputDomain inner = options.standardized()
                ? Standardized.standardizedDomain(options.mean(), options.std(), options.domain()) : options.domain();
        Classifier model;
        String description;
        if (bundled(name)) {
            if (!Arrays.equals(shape, ReferenceModels.INPUT_SHAPE)) {
                throw new IllegalArgumentException("the bundled " + name + " CNN takes " + Arrays.toString(
                        ReferenceModels.INPUT_SHAPE) + " Fashion-MNIST images; the data gives " + Arrays.toString(shape));
            }
            model = name.equals(STANDARD) ? BundledModels.referenceCnn() : BundledModels.robustCnn();
            model = MultiLayerNetworkModel.of(((MultiLayerNetworkModel) model).network(), shape, inner);
            description = name.equals(STANDARD) ? "standard CNN (bundled)" : "PGD-trained CNN (bundled)";
        } else {
            Path file = Path.of(name);
            model = switch (format(file)) {
                case DL4J -> {
                    try {
                        yield ModelFiles.load(file, shape, inner);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(file + ": " + e.getMessage(), e); // the shape check names no file
                    }
                }
                case KERAS -> keras(file, shape, inner);
                case ONNX -> onnx(file, shape, inner);
            };
            description = file.getFileName().toString();
            if (model instanceof OnnxClassifier o) {
                description += " (ONNX, white-box; logits: " + o.logitsSource() + ")";
            } else if (model instanceof BlackBox b) {
                model = b.model();
                description += " (ONNX, black-box through ONNX Runtime, because " + b.reason() + ")";
            }
        }
        if (options.standardized()) {
            if (!(model instanceof GradientClassifier g)) {
                throw new IllegalArgumentException("--mean and --std are not supported for model " + name + ", "
                        + description);
            }
            model = options.channelsLast() ? Standardized.channelsLast(g, options.mean(), options.std(),
                    options.domain()) : Standardized.of(g, options.mean(), options.std(), options.domain());
        }
        return new Loaded(name, description, model);
    }

    /** The model's input shape for data of shape {@code [c, h, w]} (or any shape, as is). */
    static long[] modelShape(long[] dataShape, InputOptions options) {
        if (!options.channelsLast() || dataShape.length < 2) {
            return dataShape.clone();
        }
        long[] out = new long[dataShape.length];
        System.arraycopy(dataShape, 1, out, 0, dataShape.length - 1);
        out[dataShape.length - 1] = dataShape[0];
        return out;
    }

    private enum Format { DL4J, KERAS, ONNX }

    private static Format format(Path file) throws IOException {
        byte[] head = new byte[8];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, 8);
        }
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Format.DL4J;
        }
        if (read == 8 && (head[0] & 0xff) == 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
            Hdf5Files.check(file);
            return Format.KERAS;
        }
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        // an ONNX file is a protocol buffer with no magic number: its name says what it is
        if (n.endsWith(".onnx")) {
            return Format.ONNX;
        }
        throw new IOException(file + ": not a DL4J model zip, a Keras HDF5 file nor an ONNX file (.onnx)");
    }

    /**
     * An ONNX model, translated; a graph the translator refuses is run by ONNX Runtime as a black
     * box, with the refusal (one line naming the node, its op type and the opset) as the reason.
     */
    private static Classifier onnx(Path file, long[] shape, InputDomain domain) throws IOException {
        OnnxClassifier.Options options = new OnnxClassifier.Options(domain, null, OnnxClassifier.Output.AUTO, shape);
        try {
            return OnnxClassifier.load(file, options);
        } catch (OnnxUnsupportedException e) {
            String reason = e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.toString().length() + 2)
                    : e.getMessage();
            return new BlackBox(OnnxRuntimeModel.load(file, options), reason);
        }
    }

    /** A black-box model on its way to {@link #load}, with why the translator refused the graph. */
    private static final class BlackBox extends dev.rampart.core.model.ForwardingClassifier {
        private final String reason;

        BlackBox(OnnxRuntimeModel model, String reason) {
            super(model);
            this.reason = reason;
        }

        Classifier model() {
            return inner;
        }

        String reason() {
            return reason;
        }

        @Override
        public Classifier copy() {
            return this;
        }
    }

    /** A Keras HDF5 model: Sequential first, functional if it is not one. */
    private static GradientClassifier keras(Path file, long[] shape, InputDomain domain) throws IOException {
        Hdf5Files.check(file);
        Hdf5Files.quietNativeErrors();
        String sequentialProblem;
        try {
            MultiLayerNetwork net = KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false);
            return MultiLayerNetworkModel.of(withLossHead(net, file), shape, domain);
        } catch (Exception e) {
            sequentialProblem = e.getMessage();
        }
        try {
            ComputationGraph graph = KerasModelImport.importKerasModelAndWeights(file.toString(), false);
            return ComputationGraphModel.of(withLossHead(graph, file), shape, domain);
        } catch (Exception e) {
            throw new IOException(file + ": cannot import as a Keras model (as a functional model: " + IoErrors.reason(e)
                    + "; as a Sequential model: " + sequentialProblem + ")", e);
        }
    }

    /** The network with a softmax dense last layer turned into a cross-entropy output layer. */
    static MultiLayerNetwork withLossHead(MultiLayerNetwork net, Path file) throws IOException {
        if (net.getOutputLayer() instanceof IOutputLayer) {
            return net;
        }
        int last = net.getnLayers() - 1;
        DenseLayer dense = softmaxDense(net.getLayer(last).conf().getLayer(), file);
        INDArray w = net.getLayer(last).getParam("W").dup();
        INDArray b = net.getLayer(last).getParam("b").dup();
        MultiLayerNetwork out = new TransferLearning.Builder(net)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().build()).removeLayersFromOutput(1)
                .addLayer(outputLike(dense)).build();
        out.getLayer(last).setParam("W", w);
        out.getLayer(last).setParam("b", b);
        return out;
    }

    /** The graph with a softmax dense output vertex turned into a cross-entropy output layer. */
    static ComputationGraph withLossHead(ComputationGraph graph, Path file) throws IOException {
        List<String> outs = graph.getConfiguration().getNetworkOutputs();
        if (outs.size() != 1) {
            throw new IOException(file + ": the model has " + outs.size() + " outputs; Rampart audits models with one");
        }
        String name = outs.get(0);
        GraphVertex v = graph.getVertex(name);
        if (v.getLayer() instanceof IOutputLayer) {
            return graph;
        }
        if (!v.hasLayer()) {
            throw new IOException(file + ": the output vertex '" + name + "' is not a layer");
        }
        DenseLayer dense = softmaxDense(v.getLayer().conf().getLayer(), file);
        String[] inputs = graph.getConfiguration().getVertexInputs().get(name).toArray(new String[0]);
        INDArray w = v.getLayer().getParam("W").dup();
        INDArray b = v.getLayer().getParam("b").dup();
        ComputationGraph out = new TransferLearning.GraphBuilder(graph)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().build()).removeVertexAndConnections(name)
                .addLayer(name, outputLike(dense), inputs).setOutputs(name).build();
        out.getLayer(name).setParam("W", w);
        out.getLayer(name).setParam("b", b);
        return out;
    }

    private static DenseLayer softmaxDense(org.deeplearning4j.nn.conf.layers.Layer layer, Path file)
            throws IOException {
        if (layer instanceof DenseLayer d && ((BaseLayer) d).getActivationFn() instanceof ActivationSoftmax) {
            return d;
        }
        throw new IOException(file + ": the model's last layer (" + layer.getClass().getSimpleName() + ") has no loss"
                + " and is not a softmax dense layer; save the model with its training configuration (compiled with a"
                + " categorical cross-entropy loss)");
    }

    private static OutputLayer outputLike(DenseLayer dense) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(dense.getNIn()).nOut(dense.getNOut())
                .activation(new ActivationSoftmax()).hasBias(dense.hasBias()).build();
    }
}
