package dev.rampart.onnxruntime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.ForwardingClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.onnx.OnnxClassifier;
import dev.rampart.core.model.onnx.OnnxNode;
import dev.rampart.core.model.onnx.OnnxReader;
import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Any ONNX classifier as a black box, run by ONNX Runtime: every operator and opset ONNX Runtime
 * knows, including graphs Rampart's translator refuses. It answers queries only (no gradients), so
 * query-based attacks (Square, the label-only attacks) and the audit's black-box mode run on it;
 * white-box attacks refuse it when they are built. It is also the independent reference the
 * translator's outputs are tested against.
 *
 * <p>Whether the chosen output holds logits or probabilities is read from the graph (a final
 * Softmax means probabilities) or set by the options; logits are turned into probabilities with a
 * softmax. Queries are run in batches of {@value #BATCH}. The session is thread-safe, so
 * {@link #copy()} returns this model; {@link #close()} releases the native session.
 *
 * <pre>{@code
 * try (OnnxRuntimeModel model = OnnxRuntimeModel.load(Path.of("model.onnx"), InputDomain.UNIT)) {
 *     EvasionResult r = Square.builder(model).epsilon(0.1).queries(1000).build().run(x, labels);
 * }
 * }</pre>
 */
public final class OnnxRuntimeModel extends ForwardingClassifier implements AutoCloseable {

    /** Largest number of examples sent to ONNX Runtime at once. */
    public static final int BATCH = 256;

    private final Session session;

    /** A {@link BlackBoxModel} over the session: its checks of queries and answers are the model's. */
    private OnnxRuntimeModel(Session session, long[] inputShape, InputDomain domain, int numClasses) {
        super(new BlackBoxModel(session::run, numClasses, inputShape, domain));
        this.session = session;
    }

    /** An ONNX Runtime session and how to read its answers. */
    private static final class Session {
        private final String source;
        private final OrtSession session;
        private final String inputName;
        private final String outputName;
        private final boolean doubleInput;
        private final boolean logitsOut;
        private volatile boolean closed;

        Session(String source, OrtSession session, String inputName, String outputName, boolean doubleInput,
                boolean logitsOut) {
            this.source = source;
            this.session = session;
            this.inputName = inputName;
            this.outputName = outputName;
            this.doubleInput = doubleInput;
            this.logitsOut = logitsOut;
        }

        /** Scores of a checked batch: ONNX Runtime's output, turned into probabilities if it holds logits. */
        INDArray run(INDArray x) {
            if (closed) {
                throw new IllegalStateException(source + ": the model is closed");
            }
            List<INDArray> parts = new ArrayList<>();
            for (long start = 0; start < x.size(0); start += BATCH) {
                long end = Math.min(x.size(0), start + BATCH);
                INDArray chunk = start == 0 && end == x.size(0) ? x : x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end));
                parts.add(runChunk(chunk));
            }
            INDArray scores = parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
            if (scores.rank() == 2 && logitsOut) {
                scores = Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("softmax").addInputs(scores)
                        .addIntegerArguments(1).build())[0];
            }
            return scores;
        }

        private INDArray runChunk(INDArray chunk) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long[] shape = chunk.shape();
            try {
                ai.onnxruntime.OnnxTensor t = doubleInput
                        ? ai.onnxruntime.OnnxTensor.createTensor(env, DoubleBuffer.wrap(chunk.castTo(DataType.DOUBLE)
                                .dup('c').data().asDouble()), shape)
                        : ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(chunk.castTo(DataType.FLOAT)
                                .dup('c').data().asFloat()), shape);
                try (t; OrtSession.Result r = session.run(Map.of(inputName, t), java.util.Set.of(outputName))) {
                    OnnxValue v = r.get(0);
                    if (!(v instanceof ai.onnxruntime.OnnxTensor out)) {
                        throw new IllegalStateException(source + ": output '" + outputName + "' is not a tensor");
                    }
                    long[] outShape = out.getInfo().getShape();
                    if (out.getInfo().type == OnnxJavaType.DOUBLE) {
                        DoubleBuffer b = out.getDoubleBuffer();
                        double[] d = new double[b.remaining()];
                        b.get(d);
                        return Nd4j.create(d, outShape, 'c').castTo(DataType.FLOAT);
                    }
                    FloatBuffer b = out.getFloatBuffer();
                    if (b == null) {
                        throw new IllegalStateException(source + ": output '" + outputName + "' holds "
                                + out.getInfo().type + ", not class scores");
                    }
                    float[] f = new float[b.remaining()];
                    b.get(f);
                    return Nd4j.create(f, outShape, 'c');
                }
            } catch (OrtException e) {
                throw new IllegalStateException(source + ": ONNX Runtime failed on a batch of shape "
                        + Arrays.toString(shape) + ": " + firstLine(e.getMessage()), e);
            }
        }

        void close() {
            closed = true;
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(source + ": closing the ONNX Runtime session failed: " + e.getMessage(),
                        e);
            }
        }
    }

    /** Loads {@code file} with the given domain, the output and its kind detected, the shape read from the graph. */
    public static OnnxRuntimeModel load(Path file, InputDomain domain) throws IOException {
        return load(file, OnnxClassifier.Options.of(domain));
    }

    /**
     * Loads {@code file} into an ONNX Runtime session (one intra-op thread per available core).
     *
     * @param options the domain, and optionally the output to use, what it holds and one example's
     *     shape (needed when the graph declares dynamic dimensions beyond the batch)
     * @throws IOException naming the file when it cannot be read, ONNX Runtime refuses it, or its
     *     input and output are not those of a classifier
     */
    public static OnnxRuntimeModel load(Path file, OnnxClassifier.Options options) throws IOException {
        if (file == null || options == null) {
            throw new IllegalArgumentException((file == null ? "file" : "options") + " must not be null");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such ONNX file");
        }
        OrtSession session;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
                session = env.createSession(file.toString(), so);
            }
        } catch (OrtException e) {
            throw new IOException(file + ": ONNX Runtime cannot load it: " + firstLine(e.getMessage()), e);
        }
        try {
            return describe(file, session, options);
        } catch (IOException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the first problem is the one to report
            }
            throw e;
        }
    }

    private static OnnxRuntimeModel describe(Path file, OrtSession session, OnnxClassifier.Options options)
            throws IOException {
        String source = file.toString();
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new IOException(source + ": the graph has " + inputs.size() + " inputs " + inputs.keySet()
                        + "; a classifier has one");
            }
            NodeInfo in = inputs.values().iterator().next();
            if (!(in.getInfo() instanceof TensorInfo ti)
                    || (ti.type != OnnxJavaType.FLOAT && ti.type != OnnxJavaType.DOUBLE)) {
                throw new IOException(source + ": input '" + in.getName() + "' is " + in.getInfo()
                        + "; a float or double tensor is needed");
            }
            long[] shape = options.inputShape();
            if (shape == null) {
                long[] dims = ti.getShape();
                shape = dims.length < 2 ? null : Arrays.copyOfRange(dims, 1, dims.length);
                if (shape == null || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
                    throw new IOException(source + ": input '" + in.getName() + "' declares shape "
                            + Arrays.toString(dims) + "; give one example's shape (inputShape)");
                }
            }
            String output = options.output();
            List<String> outputs = new ArrayList<>(session.getOutputNames());
            if (output == null) {
                for (NodeInfo o : session.getOutputInfo().values()) {
                    if (o.getInfo() instanceof TensorInfo t
                            && (t.type == OnnxJavaType.FLOAT || t.type == OnnxJavaType.DOUBLE)) {
                        output = o.getName();
                        break;
                    }
                }
                if (output == null) {
                    throw new IOException(source + ": no float tensor output among " + outputs);
                }
            } else if (!outputs.contains(output)) {
                throw new IOException(source + ": output '" + output + "' is not one of " + outputs);
            }
            boolean logits = switch (options.kind()) {
                case LOGITS, LOG_PROBABILITIES -> true;
                case PROBABILITIES -> false;
                case AUTO -> !endsInSoftmax(file, output);
            };
            Session run = new Session(source, session, in.getName(), output, ti.type == OnnxJavaType.DOUBLE, logits);
            long[] probeShape = new long[shape.length + 1];
            probeShape[0] = 2;
            System.arraycopy(shape, 0, probeShape, 1, shape.length);
            INDArray scores = run.run(Nd4j.rand(DataType.FLOAT, probeShape).muli(0.5));
            if (scores.rank() != 2 || scores.size(0) != 2 || scores.size(1) < 2) {
                throw new IOException(source + ": for two examples output '" + output + "' has shape "
                        + Arrays.toString(scores.shape()) + "; a classifier gives [2, classes] (export with a dynamic"
                        + " batch dimension)");
            }
            return new OnnxRuntimeModel(run, shape, options.domain(), (int) scores.size(1));
        } catch (OrtException e) {
            throw new IOException(source + ": " + firstLine(e.getMessage()), e);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Whether Rampart's reader finds the output made by a Softmax (through Identity nodes); false if it cannot read the file. */
    private static boolean endsInSoftmax(Path file, String output) {
        try {
            OnnxNode p = OnnxReader.read(file).graph().producerThroughIdentity(output);
            return p != null && p.opType().equals("Softmax");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The query-checked model without the scan of input values (shapes are still checked). */
    @Override
    public Classifier unchecked() {
        return inner.unchecked();
    }

    /** The file the model was loaded from. */
    public String source() {
        return session.source;
    }

    /** The graph output the scores come from. */
    public String outputName() {
        return session.outputName;
    }

    /** Whether that output holds logits (a softmax is applied) rather than probabilities. */
    public boolean logitsOutput() {
        return session.logitsOut;
    }

    /** The session is thread-safe: the copy is this model. */
    @Override
    public OnnxRuntimeModel copy() {
        return this;
    }

    /** Releases the native session; a query afterwards is an {@link IllegalStateException} naming the file. */
    @Override
    public void close() {
        session.close();
    }
}
