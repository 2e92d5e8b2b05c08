package dev.rampart.core.model.onnx;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.program.ProgramClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An ONNX image or tabular classifier (exported from PyTorch, Keras/tf2onnx or scikit-learn) as a
 * white-box model: the graph is translated into Rampart's compiled inference path, so predictions
 * and input gradients are exact and every attack runs on it as on a DL4J network. Graphs whose
 * operators the translator does not cover are refused with an {@link OnnxUnsupportedException}
 * naming the node.
 *
 * <p>The logits are found as follows: a final Softmax or LogSoftmax is stripped and its input is
 * used (attacks then work on the logits, as they should); any other output is taken to be logits,
 * unless the options say it holds probabilities. The model is stateless and thread-safe.
 *
 * <pre>{@code
 * OnnxClassifier model = OnnxClassifier.load(Path.of("cnn.onnx"), InputDomain.UNIT);
 * INDArray adv = new Pgd(0.1, 0.01, 20).generate(model, x, y);
 * }</pre>
 */
public final class OnnxClassifier extends ProgramClassifier {

    /** What the graph's output holds. */
    public enum Output {
        /** Detect it: a final Softmax or LogSoftmax gives probabilities; anything else is logits. */
        AUTO,
        /** Unnormalized class scores. */
        LOGITS,
        /** Class probabilities; the logits used are their logarithms unless a Softmax can be stripped. */
        PROBABILITIES,
        /** Log-probabilities, used as logits. */
        LOG_PROBABILITIES
    }

    /**
     * How to read a graph.
     *
     * @param domain the range of valid input values
     * @param output the graph output to use, or {@code null} for the first floating-point one
     * @param kind what it holds
     * @param inputShape the shape of one example, or {@code null} to read it from the graph (needed
     *     when the graph declares dynamic dimensions other than the batch)
     */
    public record Options(InputDomain domain, String output, Output kind, long[] inputShape) {
        /** @throws IllegalArgumentException if the domain or kind is null, or a given shape is not positive */
        public Options {
            if (domain == null) {
                throw new IllegalArgumentException("domain must not be null");
            }
            if (kind == null) {
                throw new IllegalArgumentException("kind must not be null");
            }
            if (inputShape != null && (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0))) {
                throw new IllegalArgumentException("inputShape must have positive dimensions, found "
                        + Arrays.toString(inputShape));
            }
            inputShape = inputShape == null ? null : inputShape.clone();
        }

        /** The domain given, the output detected, the shape read from the graph. */
        public static Options of(InputDomain domain) {
            return new Options(domain, null, Output.AUTO, null);
        }
    }

    private final OnnxModel model;
    private final OnnxTranslator.Translation translation;
    private final Options options;

    private OnnxClassifier(OnnxModel model, OnnxTranslator.Translation t, Options options, long[] inputShape,
            int numClasses, DataType type) {
        super(inputShape, options.domain(), numClasses, type, t.program());
        this.model = model;
        this.translation = t;
        this.options = options;
    }

    /**
     * Reads and translates an ONNX file.
     *
     * @throws OnnxFormatException if the file is not a readable ONNX model
     * @throws OnnxUnsupportedException if the graph uses what the translator does not support
     */
    public static OnnxClassifier load(Path file, InputDomain domain) throws IOException {
        return load(file, Options.of(domain));
    }

    /** As {@link #load(Path, InputDomain)}, with options. */
    public static OnnxClassifier load(Path file, Options options) throws IOException {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        return of(OnnxReader.read(file), options);
    }

    /**
     * Translates a model already read.
     *
     * @throws OnnxFormatException if a tensor of the model cannot be read
     * @throws OnnxUnsupportedException if the graph uses what the translator does not support, or
     *     its output is not a {@code [n, classes]} matrix for a batch of two examples
     */
    public static OnnxClassifier of(OnnxModel model, Options options) throws OnnxFormatException {
        if (model == null || options == null) {
            throw new IllegalArgumentException((model == null ? "model" : "options") + " must not be null");
        }
        OnnxTranslator.Head requested = switch (options.kind()) {
            case AUTO -> null;
            case LOGITS -> OnnxTranslator.Head.LOGITS;
            case PROBABILITIES -> OnnxTranslator.Head.PROBABILITIES;
            case LOG_PROBABILITIES -> OnnxTranslator.Head.LOG_PROBABILITIES;
        };
        OnnxTranslator.Translation t = OnnxTranslator.translate(model, Map.of(), options.output(), requested, false);
        OnnxValueInfo in = t.input();
        DataType type = switch (in.elementType() == null ? OnnxTensor.ElementType.FLOAT : in.elementType()) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            default -> throw graphProblem(model, "input '" + in.name() + "' holds " + in.elementType()
                    + "; floating-point inputs (FLOAT, DOUBLE) are supported");
        };
        long[] shape = options.inputShape() != null ? options.inputShape() : exampleShape(model, in);
        long[] probe = new long[shape.length + 1];
        probe[0] = 2;
        System.arraycopy(shape, 1 - 1, probe, 1, shape.length);
        INDArray z;
        try {
            z = t.program().logits(Nd4j.rand(type, probe).muli(0.5));
        } catch (RuntimeException e) {
            throw graphProblem(model, "the graph cannot compute its output for two examples of shape "
                    + Arrays.toString(shape) + ": " + e.getMessage());
        }
        if (z.rank() != 2 || z.size(0) != 2 || z.size(1) < 2) {
            throw graphProblem(model, "for two examples the output gives shape " + Arrays.toString(z.shape())
                    + "; a classifier gives [2, classes] (export with a dynamic batch dimension, and name the class"
                    + " scores with the output option if the graph has several outputs)");
        }
        return new OnnxClassifier(model, t, options, shape, (int) z.size(1), type);
    }

    private static OnnxUnsupportedException graphProblem(OnnxModel model, String reason) {
        return new OnnxUnsupportedException(model.source(), "graph", "", model.opset(), reason);
    }

    /** One example's shape: the declared input shape without its first (batch) dimension. */
    private static long[] exampleShape(OnnxModel model, OnnxValueInfo in) {
        long[] dims = in.shape();
        if (dims == null || dims.length < 2) {
            throw graphProblem(model, "input '" + in.name() + "' declares shape " + Arrays.toString(dims)
                    + "; a batch dimension and the example's dimensions are needed (or give inputShape)");
        }
        long[] shape = Arrays.copyOfRange(dims, 1, dims.length);
        if (Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw graphProblem(model, "input '" + in.name() + "' has dynamic dimensions " + Arrays.toString(dims)
                    + " beyond the batch; give the example's shape with inputShape");
        }
        return shape;
    }

    /** The file or source the model was read from. */
    public String source() {
        return model.source();
    }

    /** The graph output the logits come from. */
    public String outputName() {
        return translation.output();
    }

    /** What that output holds (detected or as the options said). */
    public Output outputKind() {
        return switch (translation.head()) {
            case LOGITS -> Output.LOGITS;
            case PROBABILITIES -> Output.PROBABILITIES;
            case LOG_PROBABILITIES -> Output.LOG_PROBABILITIES;
        };
    }

    /** Where the logits are taken, in words (for reports). */
    public String logitsSource() {
        return translation.logitsFrom();
    }

    /** The model as read. */
    public OnnxModel model() {
        return model;
    }

    /** Shares the translated program, which holds no mutable state. */
    @Override
    public OnnxClassifier copy() {
        return new OnnxClassifier(model, translation, options, inputShape(), numClasses(), dataType());
    }
}
