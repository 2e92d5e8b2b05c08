package dev.rampart.core.model.onnx;

import dev.rampart.core.model.onnx.OnnxOps.Op;
import dev.rampart.core.model.program.InferenceProgram;
import dev.rampart.core.model.program.Stage;
import dev.rampart.core.model.program.Stages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * Translates an ONNX graph into an {@link InferenceProgram}: every node becomes a stage (the hot
 * ones the same {@link Stages} DL4J networks compile into), every subgraph of constants is folded at
 * translation, and shape arithmetic on the data (PyTorch's {@code x.view(x.size(0), -1)}) runs at
 * run time on integer arrays without gradients.
 *
 * <p>Supported operators: Conv (2-D; strides, pads, dilations, groups, auto_pad NOTSET, VALID and
 * SAME_UPPER), Gemm, MatMul, Add, Sub, Mul, Div, Sum, Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Clip,
 * Exp, Log, Sqrt, Neg, Abs, Reciprocal, Softmax, LogSoftmax, MaxPool, AveragePool,
 * GlobalAveragePool, GlobalMaxPool, BatchNormalization (inference), Flatten, Reshape, Transpose,
 * Squeeze, Unsqueeze, Concat, Pad (constant), Slice, Gather, Shape, Cast, ConstantOfShape,
 * ReduceMean, ReduceSum, Dropout, Identity and Constant. Anything else is an
 * {@link OnnxUnsupportedException} naming the node.
 */
final class OnnxTranslator {

    private OnnxTranslator() {
    }

    /** What the chosen graph output holds, and so how logits are obtained from it. */
    enum Head {
        LOGITS, PROBABILITIES, LOG_PROBABILITIES
    }

    /**
     * A translated graph.
     *
     * @param program the program; its last value is the logits (or, raw, the chosen output)
     * @param input the data input
     * @param output the graph output the head was taken from
     * @param head what that output holds
     * @param logitsFrom how the logits were obtained, for reports
     */
    record Translation(InferenceProgram program, OnnxValueInfo input, String output, Head head, String logitsFrom) {
    }

    /** A value of the graph during translation. */
    private sealed interface Value permits Const, Node, Missing {
    }

    private record Const(INDArray array) implements Value {
    }

    private record Node(int index) implements Value {
    }

    private record Missing(String why) implements Value {
    }

    private static final Value ABSENT = new Const(null);

    /**
     * Translates {@code model}.
     *
     * @param bound graph inputs given fixed values (constants); exactly one data input must remain
     * @param outputName the graph output to use, or {@code null} for the first floating-point one
     * @param requested what the output holds, or {@code null} to detect it (a final Softmax or
     *     LogSoftmax is probabilities; anything else logits)
     * @param raw keep the output as it is (no head detection); the program's head is then the
     *     identity
     */
    static Translation translate(OnnxModel model, Map<String, INDArray> bound, String outputName, Head requested,
            boolean raw) throws OnnxFormatException {
        return new Builder(model).run(bound, outputName, requested, raw);
    }

    private static final class Builder {
        private final OnnxModel model;
        private final long opset;
        private final Map<String, Value> values = new HashMap<>();
        private final List<InferenceProgram.Node> nodes = new ArrayList<>();

        Builder(OnnxModel model) {
            this.model = model;
            this.opset = model.opset();
        }

        private OnnxUnsupportedException unsupported(OnnxNode node, String reason) {
            return new OnnxUnsupportedException(model.source(), node == null ? "graph" : node.describe(),
                    node == null ? "" : node.opType(), opset, reason);
        }

        Translation run(Map<String, INDArray> bound, String outputName, Head requested, boolean raw)
                throws OnnxFormatException {
            OnnxGraph g = model.graph();
            for (var e : g.initializers().entrySet()) {
                values.put(e.getKey(), new Const(e.getValue().array()));
            }
            List<OnnxValueInfo> data = new ArrayList<>();
            for (OnnxValueInfo in : g.dataInputs()) {
                if (bound.containsKey(in.name())) {
                    values.put(in.name(), new Const(bound.get(in.name())));
                } else {
                    data.add(in);
                }
            }
            if (data.size() != 1) {
                throw unsupported(null, "the graph has " + data.size() + " data inputs "
                        + data.stream().map(OnnxValueInfo::name).toList() + "; one is supported");
            }
            OnnxValueInfo input = data.get(0);
            if (!input.tensor()) {
                throw unsupported(null, "input '" + input.name() + "' is not a tensor");
            }
            if (input.elementType() == OnnxTensor.ElementType.STRING || input.elementType() == OnnxTensor.ElementType.BFLOAT16
                    || g.outputs().stream().anyMatch(o -> o.elementType() == OnnxTensor.ElementType.STRING
                    || o.elementType() == OnnxTensor.ElementType.BFLOAT16)) {
                throw unsupported(null, "string and bfloat16 inputs and outputs are not supported");
            }
            values.put(input.name(), new Node(0));
            for (OnnxNode node : g.nodes()) {
                translate(node);
            }
            return head(g, input, outputName, requested, raw);
        }

        // ---- the head ----

        private Translation head(OnnxGraph g, OnnxValueInfo input, String outputName, Head requested, boolean raw) {
            OnnxValueInfo out = chooseOutput(g, outputName);
            String name = out.name();
            Head head = Head.LOGITS;
            String from = "output '" + name + "'";
            if (!raw) {
                OnnxNode p = g.producerThroughIdentity(name);
                boolean softmaxLike = p != null && (p.opType().equals("Softmax") || p.opType().equals("LogSoftmax"))
                        && lastAxis(p);
                if (softmaxLike && (requested == null || requested != Head.LOGITS)) {
                    head = p.opType().equals("Softmax") ? Head.PROBABILITIES : Head.LOG_PROBABILITIES;
                    name = p.inputs().get(0);
                    from = "the input of " + p.describe() + " before output '" + out.name() + "'";
                } else if (requested != null) {
                    head = requested;
                }
            }
            Value v = read(null, name);
            if (!(v instanceof Node n)) {
                throw unsupported(null, "output '" + out.name() + "' does not depend on the input");
            }
            int last = n.index();
            if (!raw && head == Head.PROBABILITIES && name.equals(out.name())) {
                // declared probabilities without a softmax to strip: logits are their logarithms
                last = add(new OnnxOps.Bound(probabilitiesToLogits(), "log (probabilities to logits)",
                        new INDArray[1], new int[] {0}), last);
                from = "the logarithm of output '" + out.name() + "'";
            } else if (last != nodes.size()) {
                last = add(new OnnxOps.Bound(OnnxOps.IDENTITY, "identity", new INDArray[1], new int[] {0}), last);
            }
            List<InferenceProgram.Node> kept = prune(last);
            InferenceProgram program = raw
                    ? new InferenceProgram(kept, new ActivationIdentity(), new LossMSE(), Map.of())
                    : new InferenceProgram(kept, new ActivationSoftmax(), new LossMCXENT(), Map.of());
            return new Translation(program, input, out.name(), head, from);
        }

        private boolean lastAxis(OnnxNode p) {
            try {
                long axis = p.intAttr("axis", opset < 13 ? 1 : -1);
                return axis == 1 || axis == -1;
            } catch (OnnxFormatException e) {
                return false;
            }
        }

        private OnnxValueInfo chooseOutput(OnnxGraph g, String outputName) {
            if (outputName != null) {
                return g.outputs().stream().filter(o -> o.name().equals(outputName)).findFirst()
                        .orElseThrow(() -> unsupported(null, "output '" + outputName + "' is not one of the graph's "
                                + g.outputs().stream().map(OnnxValueInfo::name).toList()));
            }
            for (OnnxValueInfo o : g.outputs()) {
                boolean floating = o.elementType() == null || switch (o.elementType()) {
                    case FLOAT, DOUBLE, FLOAT16, BFLOAT16 -> true;
                    default -> false;
                };
                if (o.tensor() && floating) {
                    return o;
                }
            }
            throw unsupported(null, "the graph has no floating-point tensor output among "
                    + g.outputs().stream().map(OnnxValueInfo::name).toList());
        }

        /** Probabilities to logits: {@code log(max(p, tiny))}, whose softmax gives {@code p} back. */
        private static Op probabilitiesToLogits() {
            return new OnnxOps.Unary() {
                @Override
                public INDArray forward(INDArray[] in) {
                    return org.nd4j.linalg.ops.transforms.Transforms.log(
                            org.nd4j.linalg.ops.transforms.Transforms.max(in[0], 1e-30, true), false);
                }

                @Override
                INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                    INDArray p = in[0];
                    return g.div(org.nd4j.linalg.ops.transforms.Transforms.max(p, 1e-30, true))
                            .muli(p.gt(1e-30).castTo(p.dataType()));
                }
            };
        }

        /** The nodes {@code last} depends on, renumbered, {@code last} at the end. */
        private List<InferenceProgram.Node> prune(int last) {
            boolean[] keep = new boolean[nodes.size() + 1];
            keep[last] = true;
            for (int v = last; v >= 1; v--) {
                if (keep[v]) {
                    for (int k : nodes.get(v - 1).inputs()) {
                        keep[k] = true;
                    }
                }
            }
            int[] map = new int[nodes.size() + 1];
            List<InferenceProgram.Node> out = new ArrayList<>();
            for (int v = 1; v <= last; v++) {
                if (keep[v]) {
                    InferenceProgram.Node n = nodes.get(v - 1);
                    out.add(new InferenceProgram.Node(n.stage(), Arrays.stream(n.inputs()).map(k -> map[k]).toArray()));
                    map[v] = out.size();
                }
            }
            return out;
        }

        // ---- nodes ----

        private int add(Stage stage, int... inputs) {
            nodes.add(new InferenceProgram.Node(stage, inputs));
            return nodes.size();
        }

        private Value read(OnnxNode node, String name) {
            if (name.isEmpty()) {
                return ABSENT;
            }
            Value v = values.get(name);
            if (v == null) {
                throw unsupported(node, "it reads '" + name + "', which no earlier node, initializer or input gives");
            }
            if (v instanceof Missing m) {
                throw unsupported(node, "it reads '" + name + "', " + m.why());
            }
            return v;
        }

        private void translate(OnnxNode node) throws OnnxFormatException {
            if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
                throw unsupported(node, "operators of domain '" + node.domain() + "' are not supported");
            }
            if (node.outputs().isEmpty()) {
                throw unsupported(node, "it has no outputs");
            }
            List<Value> in = new ArrayList<>();
            for (String name : node.inputs()) {
                in.add(read(node, name));
            }
            Ctx c = new Ctx(node, in);
            String out = node.outputs().get(0);
            for (int k = 1; k < node.outputs().size(); k++) {
                values.put(node.outputs().get(k), new Missing("output " + k + " of " + node.describe()
                        + ", which is not supported (only the first output of a node is)"));
            }
            if (node.opType().equals("Identity") || node.opType().equals("Dropout")) {
                checkDropout(c);
                values.put(out, c.value(0));
                return;
            }
            Object built = build(c);
            values.put(out, emit(c, built));
        }

        private void checkDropout(Ctx c) throws OnnxFormatException {
            if (c.node.opType().equals("Dropout")) {
                if (c.node.intAttr("is_test", 1) == 0 && opset < 7) {
                    throw unsupported(c.node, "dropout in training mode (is_test=0) is not supported");
                }
                if (c.has(2)) {
                    INDArray t = c.constant(2, "training_mode");
                    if (t.getDouble(0) != 0) {
                        throw unsupported(c.node, "dropout in training mode is not supported");
                    }
                }
            }
            c.data0OrConst();
        }

        /** A stage for the node's first input, an {@link Op} of all its inputs, or a finished value. */
        private Value emit(Ctx c, Object built) {
            if (built instanceof Value v) {
                return v;
            }
            if (built instanceof Stage s) {
                Value x = c.value(0);
                if (x instanceof Const k) {
                    return new Const(s.forward(new INDArray[] {k.array()}));
                }
                return new Node(add(s, ((Node) x).index()));
            }
            Op op = (Op) built;
            INDArray[] constants = new INDArray[c.in.size()];
            List<Integer> slots = new ArrayList<>();
            List<Integer> sources = new ArrayList<>();
            for (int k = 0; k < c.in.size(); k++) {
                Value v = c.in.get(k);
                if (v instanceof Node n) {
                    slots.add(k);
                    sources.add(n.index());
                } else {
                    constants[k] = ((Const) v).array();
                }
            }
            if (slots.isEmpty()) {
                try {
                    return new Const(op.forward(constants));
                } catch (RuntimeException e) {
                    throw unsupported(c.node, "folding its constant inputs failed: " + e.getMessage());
                }
            }
            return new Node(add(new OnnxOps.Bound(op, c.node.describe(), constants,
                    slots.stream().mapToInt(Integer::intValue).toArray()),
                    sources.stream().mapToInt(Integer::intValue).toArray()));
        }

        /** A node's inputs during translation. */
        private final class Ctx {
            final OnnxNode node;
            final List<Value> in;

            Ctx(OnnxNode node, List<Value> in) {
                this.node = node;
                this.in = in;
            }

            boolean has(int k) {
                return k < in.size() && in.get(k) != ABSENT;
            }

            Value value(int k) {
                if (!has(k)) {
                    throw unsupported(node, "input " + k + " is required");
                }
                return in.get(k);
            }

            void data0OrConst() {
                value(0);
            }

            boolean isConst(int k) {
                return has(k) && in.get(k) instanceof Const;
            }

            /** Input {@code k}, which must be fixed when the graph is translated. */
            INDArray constant(int k, String what) {
                Value v = value(k);
                if (!(v instanceof Const cst)) {
                    throw unsupported(node, "its " + what + " (input " + k + ") is computed from the data; only a"
                            + " constant one is supported");
                }
                return cst.array();
            }

            long[] longs(int k, String what) {
                return constant(k, what).castTo(DataType.LONG).reshape(-1).toLongVector();
            }

            double scalar(int k, String what) {
                INDArray a = constant(k, what);
                if (a.length() != 1) {
                    throw unsupported(node, "its " + what + " must be a scalar, found shape " + Arrays.toString(a.shape()));
                }
                return a.getDouble(0);
            }
        }

        private Object build(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            if (!n.opType().equals("Constant")) {
                c.data0OrConst();
            }
            switch (n.opType()) {
                case "Relu":
                    return new Stages.Relu();
                case "LeakyRelu":
                    return OnnxOps.leakyRelu(n.floatAttr("alpha", 0.01f));
                case "PRelu":
                    c.value(1);
                    return OnnxOps.PRELU;
                case "Sigmoid":
                    return OnnxOps.SIGMOID;
                case "Tanh":
                    return OnnxOps.TANH;
                case "Exp":
                    return OnnxOps.EXP;
                case "Log":
                    return OnnxOps.LOG;
                case "Sqrt":
                    return OnnxOps.SQRT;
                case "Neg":
                    return OnnxOps.NEG;
                case "Abs":
                    return OnnxOps.ABS;
                case "Reciprocal":
                    return OnnxOps.RECIPROCAL;
                case "Clip":
                    return clip(c);
                case "Softmax":
                case "LogSoftmax":
                    return OnnxOps.softmax((int) n.intAttr("axis", opset < 13 ? 1 : -1), opset < 13,
                            n.opType().equals("LogSoftmax"));
                case "Add":
                case "Sub":
                case "Mul":
                case "Div":
                    c.value(1);
                    // before opset 7, broadcast=1 with an axis aligns B's dimensions from that axis of A
                    return OnnxOps.arithmetic(n.opType(), opset < 7 && n.intAttr("broadcast", 0) != 0 && n.has("axis")
                            ? (int) n.intAttr("axis", 0) : -1);
                case "Sum":
                    return OnnxOps.SUM;
                case "MatMul":
                    c.value(1);
                    return OnnxOps.MATMUL;
                case "Gemm":
                    return gemm(c);
                case "Conv":
                    return conv(c);
                case "MaxPool":
                case "AveragePool":
                    return pool(c);
                case "GlobalAveragePool":
                    return OnnxOps.GLOBAL_AVERAGE;
                case "GlobalMaxPool":
                    return globalMax();
                case "BatchNormalization":
                    return batchNorm(c);
                case "Flatten": {
                    long axis = n.intAttr("axis", 1);
                    return OnnxOps.reshape(in -> OnnxOps.flattenShape(in[0].shape(), axis));
                }
                case "Reshape":
                    return reshape(c);
                case "Squeeze":
                case "Unsqueeze":
                    return squeeze(c, n.opType().equals("Unsqueeze"));
                case "Transpose":
                    return OnnxOps.transpose(n.intsAttr("perm", null));
                case "Concat":
                    if (!n.has("axis")) {
                        throw unsupported(n, "it has no axis attribute");
                    }
                    return OnnxOps.concat(n.intAttr("axis", 0));
                case "Pad":
                    return pad(c);
                case "Slice":
                    return slice(c);
                case "Gather":
                    c.value(1);
                    return OnnxOps.gather(n.intAttr("axis", 0));
                case "Shape":
                    return shape(c);
                case "Cast":
                    return OnnxOps.cast(castType(n));
                case "ConstantOfShape":
                    return constantOfShape(c);
                case "ReduceMean":
                case "ReduceSum":
                    return reduce(c);
                case "Constant":
                    return new Const(constantValue(n));
                default:
                    throw unsupported(n, "operator " + n.opType() + " is not supported");
            }
        }

        private Object clip(Ctx c) throws OnnxFormatException {
            double min;
            double max;
            if (opset < 11) {
                min = c.node.floatAttr("min", -Float.MAX_VALUE);
                max = c.node.floatAttr("max", Float.MAX_VALUE);
            } else {
                min = c.has(1) ? c.scalar(1, "minimum") : Double.NEGATIVE_INFINITY;
                max = c.has(2) ? c.scalar(2, "maximum") : Double.POSITIVE_INFINITY;
            }
            Op op = OnnxOps.clip(min, max);
            if (c.in.size() > 1) {
                // the bounds are consumed: the op reads the data alone
                c.in.subList(1, c.in.size()).clear();
            }
            return op;
        }

        private Object gemm(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            double alpha = n.floatAttr("alpha", 1f);
            double beta = n.floatAttr("beta", 1f);
            boolean ta = n.intAttr("transA", 0) != 0;
            boolean tb = n.intAttr("transB", 0) != 0;
            c.value(1);
            if (!ta && c.in.get(0) instanceof Node && c.isConst(1) && (!c.has(2) || c.isConst(2))) {
                INDArray b = c.constant(1, "weight");
                if (b.rank() != 2) {
                    throw unsupported(n, "its weight has shape " + Arrays.toString(b.shape()) + "; Gemm needs a matrix");
                }
                INDArray w = (tb ? b.transpose() : b).dup('c');
                if (alpha != 1) {
                    w.muli(alpha);
                }
                long outs = w.size(1);
                INDArray bias = null;
                if (c.has(2)) {
                    INDArray cc = c.constant(2, "bias");
                    if (cc.length() == outs && (cc.rank() == 1 || cc.size(0) == 1)) {
                        bias = cc.reshape(outs).castTo(w.dataType()).mul(beta);
                    } else if (cc.length() == 1) {
                        bias = Nd4j.valueArrayOf(new long[] {outs}, cc.getDouble(0) * beta, w.dataType());
                    } else {
                        return OnnxOps.gemm(alpha, beta, ta, tb);
                    }
                }
                INDArray bb = bias;
                c.in.subList(1, c.in.size()).clear();
                return new Stages.Dense(() -> w, bb == null ? null : () -> bb);
            }
            return OnnxOps.gemm(alpha, beta, ta, tb);
        }

        private int[] ints2(OnnxNode n, String attr, long[] otherwise, int rank) throws OnnxFormatException {
            long[] v = n.intsAttr(attr, otherwise);
            if (v.length != rank) {
                throw unsupported(n, attr + " " + Arrays.toString(v) + " must have " + rank + " values");
            }
            return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
        }

        /** Begin and end padding of the two spatial dimensions, after auto_pad; null for SAME_UPPER. */
        private long[] pads(OnnxNode n) throws OnnxFormatException {
            String auto = n.stringAttr("auto_pad", "NOTSET");
            switch (auto) {
                case "NOTSET", "" -> {
                    long[] p = n.intsAttr("pads", new long[4]);
                    if (p.length != 4 || Arrays.stream(p).anyMatch(v -> v < 0)) {
                        throw unsupported(n, "pads " + Arrays.toString(p) + " must be four non-negative values");
                    }
                    return p;
                }
                case "VALID" -> {
                    return new long[4];
                }
                case "SAME_UPPER" -> {
                    return null;
                }
                default -> throw unsupported(n, "auto_pad " + auto + " is not supported (NOTSET, VALID and SAME_UPPER are)");
            }
        }

        private Object conv(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            INDArray w = c.constant(1, "weight");
            if (w.rank() != 4) {
                throw unsupported(n, "only 2-D convolution is supported; the weight has shape "
                        + Arrays.toString(w.shape()));
            }
            INDArray b = c.has(2) ? c.constant(2, "bias").reshape(-1) : null;
            int[] k0 = {(int) w.size(2), (int) w.size(3)};
            if (n.has("kernel_shape") && !Arrays.equals(ints2(n, "kernel_shape", null, 2), k0)) {
                throw unsupported(n, "kernel_shape disagrees with the weight's shape " + Arrays.toString(w.shape()));
            }
            int[] s = ints2(n, "strides", new long[] {1, 1}, 2);
            int[] d = ints2(n, "dilations", new long[] {1, 1}, 2);
            if (d[0] < 1 || d[1] < 1 || s[0] < 1 || s[1] < 1) {
                throw unsupported(n, "strides and dilations must be positive");
            }
            if (d[0] != 1 || d[1] != 1) {
                // libnd4j's oneDNN convolution fails on dilations: use the equivalent kernel with zeros between taps
                INDArray wide = Nd4j.zeros(w.dataType(), w.size(0), w.size(1), (k0[0] - 1L) * d[0] + 1,
                        (k0[1] - 1L) * d[1] + 1);
                wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, d[0], wide.size(2)),
                        NDArrayIndex.interval(0, d[1], wide.size(3))).assign(w);
                w = wide;
                d = new int[] {1, 1};
            }
            int[] k = {(int) w.size(2), (int) w.size(3)};
            INDArray wf = w;
            long group = n.intAttr("group", 1);
            long[] pads = pads(n);
            boolean same = pads == null;
            int[] p = same ? new int[2] : new int[] {(int) pads[0], (int) pads[1]};
            boolean symmetric = same || (pads[0] == pads[2] && pads[1] == pads[3]);
            Value x = c.value(0);
            if (!symmetric) {
                x = explicitPad(n, x, pads, 0.0);
                p = new int[2];
            }
            c.in.subList(1, c.in.size()).clear();
            c.in.set(0, x);
            if (group == 1) {
                return new Stages.Convolution(() -> wf, b == null ? null : () -> b, k, s, p, d, same, false);
            }
            if (group < 1 || w.size(0) % group != 0) {
                throw unsupported(n, "group " + group + " does not divide the " + w.size(0) + " output channels");
            }
            Stages.Convolution[] parts = new Stages.Convolution[(int) group];
            long per = w.size(0) / group;
            for (int gi = 0; gi < group; gi++) {
                INDArray wg = w.get(NDArrayIndex.interval(gi * per, (gi + 1) * per)).dup('c');
                INDArray bg = b == null ? null : b.get(NDArrayIndex.interval(gi * per, (gi + 1) * per)).dup();
                parts[gi] = new Stages.Convolution(() -> wg, bg == null ? null : () -> bg, k, s, p, d, same, false);
            }
            return grouped(parts, w.size(1));
        }

        /** A grouped convolution: each group's convolution reads its slice of the channels. */
        private Op grouped(Stages.Convolution[] parts, long inPerGroup) {
            return new OnnxOps.Unary() {
                private INDArray slice(INDArray x, int gi, long per) {
                    return x.get(NDArrayIndex.all(), NDArrayIndex.interval(gi * per, (gi + 1) * per)).dup('c');
                }

                @Override
                public INDArray forward(INDArray[] in) {
                    INDArray x = in[0];
                    if (x.rank() != 4 || x.size(1) != inPerGroup * parts.length) {
                        throw new IllegalArgumentException("grouped convolution expects " + inPerGroup * parts.length
                                + " input channels, found shape " + Arrays.toString(x.shape()));
                    }
                    INDArray[] outs = new INDArray[parts.length];
                    for (int gi = 0; gi < parts.length; gi++) {
                        outs[gi] = parts[gi].forward(new INDArray[] {slice(x, gi, inPerGroup)});
                    }
                    return Nd4j.concat(1, outs);
                }

                @Override
                INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                    INDArray x = in[0];
                    long outPer = out.size(1) / parts.length;
                    INDArray[] grads = new INDArray[parts.length];
                    for (int gi = 0; gi < parts.length; gi++) {
                        INDArray xi = slice(x, gi, inPerGroup);
                        INDArray gi2 = slice(g, gi, outPer);
                        grads[gi] = parts[gi].backward(new INDArray[] {xi}, null, gi2)[0];
                    }
                    return Nd4j.concat(1, grads);
                }
            };
        }

        /** A node padding {@code x}'s two spatial dimensions by {@code pads} (begin H, begin W, end H, end W). */
        private Value explicitPad(OnnxNode n, Value x, long[] pads, double fill) {
            Op pad = OnnxOps.pad(new long[] {0, 0, pads[0], pads[1]}, new long[] {0, 0, pads[2], pads[3]}, fill);
            if (x instanceof Const k) {
                return new Const(pad.forward(new INDArray[] {k.array()}));
            }
            return new Node(add(new OnnxOps.Bound(pad, n.describe() + " padding", new INDArray[1], new int[] {0}),
                    ((Node) x).index()));
        }

        private Object pool(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            boolean max = n.opType().equals("MaxPool");
            long[] ks = n.intsAttr("kernel_shape", null);
            if (ks == null || ks.length != 2) {
                throw unsupported(n, "only 2-D pooling with a kernel_shape is supported, found "
                        + (ks == null ? "none" : Arrays.toString(ks)));
            }
            int[] k = ints2(n, "kernel_shape", null, 2);
            int[] s = ints2(n, "strides", new long[] {1, 1}, 2);
            int[] d = ints2(n, "dilations", new long[] {1, 1}, 2);
            if (d[0] != 1 || d[1] != 1) {
                throw unsupported(n, "pooling with dilations " + Arrays.toString(d) + " is not supported (libnd4j's"
                        + " pooling ignores them)");
            }
            if (s[0] < 1 || s[1] < 1 || k[0] < 1 || k[1] < 1) {
                throw unsupported(n, "kernel_shape and strides must be positive");
            }
            boolean ceil = n.intAttr("ceil_mode", 0) != 0;
            int includePad = max ? 0 : (int) n.intAttr("count_include_pad", 0);
            long[] pads = pads(n);
            boolean same = pads == null;
            if (same && !max && includePad == 0) {
                // libnd4j's "same" average pooling divides by the cells inside the input, as ONNX's SAME_UPPER does
                return new Stages.Pooling("avg", k, s, new int[2], d, true, 0, false, 0);
            }
            if (same) {
                if (ceil) {
                    throw unsupported(n, "ceil_mode with auto_pad SAME_UPPER is not supported");
                }
                return new Stages.Pooling(max ? "max" : "avg", k, s, new int[2], d, true, includePad, false, 0);
            }
            boolean symmetric = pads[0] == pads[2] && pads[1] == pads[3];
            if (symmetric && !ceil) {
                return new Stages.Pooling(max ? "max" : "avg", k, s, new int[] {(int) pads[0], (int) pads[1]}, d, false,
                        includePad, false, 0);
            }
            if (!max && (ceil || includePad == 0)) {
                throw unsupported(n, "average pooling with " + (ceil ? "ceil_mode" : "asymmetric pads without"
                        + " count_include_pad") + " is not supported");
            }
            return paddedPool(k, s, d, pads, ceil, max);
        }

        /** Pooling after explicit padding (asymmetric pads, and the overhang ceil_mode adds at the end). */
        private Op paddedPool(int[] k, int[] s, int[] d, long[] pads, boolean ceil, boolean max) {
            Stages.Pooling pool = new Stages.Pooling(max ? "max" : "avg", k, s, new int[2], d, false, 1, false, 0);
            double fill = max ? Double.NEGATIVE_INFINITY : 0;
            return new OnnxOps.Unary() {
                private Op padding(INDArray x) {
                    long[] end = {pads[2], pads[3]};
                    if (ceil) {
                        for (int a = 0; a < 2; a++) {
                            long span = x.size(2 + a) + pads[a] + pads[2 + a];
                            long eff = (long) (k[a] - 1) * d[a] + 1;
                            long outCeil = Math.floorDiv(span - eff + s[a] - 1, s[a]) + 1;
                            // the last window must start inside the input or its left padding
                            if ((outCeil - 1) * s[a] >= x.size(2 + a) + pads[a]) {
                                outCeil--;
                            }
                            end[a] = pads[2 + a] + Math.max(0, (outCeil - 1) * s[a] + eff - span);
                        }
                    }
                    return OnnxOps.pad(new long[] {0, 0, pads[0], pads[1]}, new long[] {0, 0, end[0], end[1]}, fill);
                }

                @Override
                public INDArray forward(INDArray[] in) {
                    INDArray padded = padding(in[0]).forward(in);
                    return pool.forward(new INDArray[] {padded});
                }

                @Override
                INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                    Op pad = padding(in[0]);
                    INDArray padded = pad.forward(in);
                    INDArray gp = pool.backward(new INDArray[] {padded}, out, g)[0];
                    return pad.backward(in, padded, gp, new boolean[] {true})[0];
                }
            };
        }

        private Op globalMax() {
            return new OnnxOps.Unary() {
                private Stages.Pooling pool(INDArray x) {
                    if (x.rank() != 4) {
                        throw new IllegalArgumentException("GlobalMaxPool supports rank 4, found shape "
                                + Arrays.toString(x.shape()));
                    }
                    int[] k = {(int) x.size(2), (int) x.size(3)};
                    return new Stages.Pooling("max", k, new int[] {1, 1}, new int[2], new int[] {1, 1}, false, 0, false, 0);
                }

                @Override
                public INDArray forward(INDArray[] in) {
                    return pool(in[0]).forward(in);
                }

                @Override
                INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                    return pool(in[0]).backward(in, out, g)[0];
                }
            };
        }

        private Object batchNorm(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            if (n.intAttr("training_mode", 0) != 0) {
                throw unsupported(n, "batch normalization in training mode is not supported");
            }
            if (opset < 9 && n.intAttr("spatial", 1) == 0) {
                throw unsupported(n, "batch normalization with spatial=0 is not supported");
            }
            double eps = n.floatAttr("epsilon", 1e-5f);
            INDArray gamma = c.constant(1, "scale").reshape(-1);
            INDArray beta = c.constant(2, "bias").reshape(-1);
            INDArray mean = c.constant(3, "mean").reshape(-1);
            INDArray var = c.constant(4, "variance").reshape(-1);
            INDArray scale = org.nd4j.linalg.ops.transforms.Transforms.pow(var.castTo(DataType.DOUBLE).add(eps), -0.5,
                    false).muli(gamma.castTo(DataType.DOUBLE));
            INDArray shift = beta.castTo(DataType.DOUBLE).sub(mean.castTo(DataType.DOUBLE).mul(scale));
            DataType type = c.value(0) instanceof Const k ? k.array().dataType() : gamma.dataType();
            INDArray[] ab = {scale.castTo(type), shift.castTo(type)};
            c.in.subList(1, c.in.size()).clear();
            return new Stages.ChannelAffine(() -> ab, false);
        }

        private Object reshape(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            boolean allowZero = n.intAttr("allowzero", 0) != 0;
            if (opset < 5) {
                long[] spec = n.intsAttr("shape", null);
                if (spec == null) {
                    throw unsupported(n, "it has no shape attribute");
                }
                return OnnxOps.reshape(in -> OnnxOps.reshapeTarget(in[0].shape(), spec, allowZero));
            }
            c.value(1);
            return OnnxOps.reshape(in -> OnnxOps.reshapeTarget(in[0].shape(),
                    in[1].castTo(DataType.LONG).reshape(-1).toLongVector(), allowZero));
        }

        private Object squeeze(Ctx c, boolean unsqueeze) throws OnnxFormatException {
            OnnxNode n = c.node;
            long[] attr = opset < 13 ? n.intsAttr("axes", null) : null;
            boolean fromInput = opset >= 13 && c.has(1);
            if (unsqueeze && attr == null && !fromInput) {
                throw unsupported(n, "Unsqueeze needs axes");
            }
            return OnnxOps.reshape(in -> {
                long[] axes = fromInput ? in[1].castTo(DataType.LONG).reshape(-1).toLongVector() : attr;
                long[] shape = in[0].shape();
                if (unsqueeze) {
                    int rank = shape.length + axes.length;
                    boolean[] one = new boolean[rank];
                    for (long a : axes) {
                        one[OnnxOps.axis(a, rank)] = true;
                    }
                    long[] out = new long[rank];
                    for (int i = 0, j = 0; i < rank; i++) {
                        out[i] = one[i] ? 1 : shape[j++];
                    }
                    return out;
                }
                boolean[] drop = new boolean[shape.length];
                if (axes == null) {
                    for (int i = 0; i < shape.length; i++) {
                        drop[i] = shape[i] == 1;
                    }
                } else {
                    for (long a : axes) {
                        int ax = OnnxOps.axis(a, shape.length);
                        if (shape[ax] != 1) {
                            throw new IllegalArgumentException("Squeeze axis " + a + " has size " + shape[ax]);
                        }
                        drop[ax] = true;
                    }
                }
                List<Long> out = new ArrayList<>();
                for (int i = 0; i < shape.length; i++) {
                    if (!drop[i]) {
                        out.add(shape[i]);
                    }
                }
                return out.stream().mapToLong(Long::longValue).toArray();
            });
        }

        private Object pad(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            String mode = n.stringAttr("mode", "constant");
            if (!mode.equals("constant")) {
                throw unsupported(n, "padding mode '" + mode + "' is not supported (constant is)");
            }
            long[] pads;
            double value;
            if (opset < 11) {
                pads = n.intsAttr(opset < 2 ? "paddings" : "pads", null);
                value = n.floatAttr("value", 0f);
            } else {
                pads = c.longs(1, "pads");
                value = c.has(2) ? c.scalar(2, "constant value") : 0;
                if (c.has(3)) {
                    throw unsupported(n, "Pad with axes is not supported");
                }
            }
            if (pads == null || pads.length % 2 != 0 || Arrays.stream(pads).anyMatch(v -> v < 0)) {
                throw unsupported(n, "pads " + Arrays.toString(pads) + " must be an even number of non-negative values");
            }
            int rank = pads.length / 2;
            c.in.subList(1, c.in.size()).clear();
            return OnnxOps.pad(Arrays.copyOfRange(pads, 0, rank), Arrays.copyOfRange(pads, rank, 2 * rank), value);
        }

        private Object slice(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            long[] starts;
            long[] ends;
            long[] axes;
            long[] steps;
            if (opset < 10) {
                starts = n.intsAttr("starts", null);
                ends = n.intsAttr("ends", null);
                axes = n.intsAttr("axes", null);
                steps = null;
            } else {
                starts = c.longs(1, "starts");
                ends = c.longs(2, "ends");
                axes = c.has(3) ? c.longs(3, "axes") : null;
                steps = c.has(4) ? c.longs(4, "steps") : null;
            }
            if (starts == null || ends == null || starts.length != ends.length
                    || (axes != null && axes.length != starts.length) || (steps != null && steps.length != starts.length)) {
                throw unsupported(n, "starts, ends, axes and steps must be given and of one length");
            }
            if (steps != null && Arrays.stream(steps).anyMatch(v -> v <= 0)) {
                throw unsupported(n, "steps " + Arrays.toString(steps) + " must be positive");
            }
            c.in.subList(1, c.in.size()).clear();
            long[] ax = axes;
            long[] st = steps;
            return OnnxOps.slice(in -> {
                INDArray x = in[0];
                INDArrayIndex[] idx = NDArrayIndex.allFor(x);
                for (int i = 0; i < starts.length; i++) {
                    int a = OnnxOps.axis(ax == null ? i : ax[i], x.rank());
                    long dim = x.size(a);
                    long b = clamp(starts[i] < 0 ? starts[i] + dim : starts[i], dim);
                    long e = clamp(ends[i] < 0 ? ends[i] + dim : ends[i], dim);
                    long step = st == null ? 1 : st[i];
                    idx[a] = e <= b ? NDArrayIndex.interval(b, b) : NDArrayIndex.interval(b, step, e);
                }
                return idx;
            });
        }

        private static long clamp(long v, long dim) {
            return Math.max(0, Math.min(v, dim));
        }

        private Object shape(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            long start = n.intAttr("start", 0);
            boolean hasEnd = n.has("end");
            long end = n.intAttr("end", 0);
            if (start == 0 && !hasEnd) {
                return OnnxOps.SHAPE_OF;
            }
            return new OnnxOps.Unary() {
                @Override
                public INDArray forward(INDArray[] in) {
                    long[] s = in[0].shape();
                    int r = s.length;
                    int b = (int) clamp(start < 0 ? start + r : start, r);
                    int e = hasEnd ? (int) clamp(end < 0 ? end + r : end, r) : r;
                    return Nd4j.createFromArray(Arrays.copyOfRange(s, b, Math.max(b, e)));
                }

                @Override
                INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                    return null;
                }
            };
        }

        private DataType castType(OnnxNode n) throws OnnxFormatException {
            long to = n.intAttr("to", -1);
            return switch ((int) to) {
                case 1 -> DataType.FLOAT;
                case 10 -> DataType.HALF;
                case 11 -> DataType.DOUBLE;
                case 7 -> DataType.LONG;
                case 6 -> DataType.INT;
                case 5 -> DataType.SHORT;
                case 3 -> DataType.BYTE;
                case 2 -> DataType.UBYTE;
                case 9 -> DataType.BOOL;
                default -> throw unsupported(n, "cast to ONNX element type " + to + " is not supported");
            };
        }

        private Object constantOfShape(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            INDArray fill = n.has("value") ? n.tensorAttr("value").array() : Nd4j.scalar(0f);
            if (fill.length() != 1) {
                throw unsupported(n, "its value must hold one element");
            }
            return new OnnxOps.Unary() {
                @Override
                public INDArray forward(INDArray[] in) {
                    long[] shape = in[0].castTo(DataType.LONG).reshape(-1).toLongVector();
                    return Nd4j.valueArrayOf(shape, fill.getDouble(0), fill.dataType());
                }

                @Override
                INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                    return null;
                }
            };
        }

        private Object reduce(Ctx c) throws OnnxFormatException {
            OnnxNode n = c.node;
            boolean mean = n.opType().equals("ReduceMean");
            boolean keep = n.intAttr("keepdims", 1) != 0;
            long[] axes;
            boolean axesInput = mean ? opset >= 18 : opset >= 13;
            if (axesInput) {
                axes = c.has(1) ? c.longs(1, "axes") : null;
                if ((axes == null || axes.length == 0) && n.intAttr("noop_with_empty_axes", 0) != 0) {
                    c.in.subList(1, c.in.size()).clear();
                    return OnnxOps.IDENTITY;
                }
            } else {
                axes = n.intsAttr("axes", null);
            }
            c.in.subList(Math.min(1, c.in.size()), c.in.size()).clear();
            return OnnxOps.reduce(mean, axes, keep);
        }

        private INDArray constantValue(OnnxNode n) throws OnnxFormatException {
            if (n.has("value")) {
                return n.tensorAttr("value").array();
            }
            if (n.has("value_float")) {
                return Nd4j.scalar(n.floatAttr("value_float", 0f));
            }
            if (n.has("value_floats")) {
                return Nd4j.createFromArray(n.floatsAttr("value_floats", null));
            }
            if (n.has("value_int")) {
                return Nd4j.scalar(n.intAttr("value_int", 0));
            }
            if (n.has("value_ints")) {
                return Nd4j.createFromArray(n.intsAttr("value_ints", null));
            }
            throw unsupported(n, "only tensor, float and int constants are supported (attributes "
                    + n.attributes().keySet() + ")");
        }
    }

    /** The op types the translator handles, for reports and the conformance test. */
    static final Set<String> SUPPORTED = Set.of("Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Sum", "Relu",
            "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Softmax",
            "LogSoftmax", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization",
            "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Pad", "Slice", "Gather", "Shape",
            "Cast", "ConstantOfShape", "ReduceMean", "ReduceSum", "Dropout", "Identity", "Constant");
}
