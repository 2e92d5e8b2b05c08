package dev.rampart.defenses.certification;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.program.InferenceProgram;
import dev.rampart.core.model.program.ProgramClassifier;
import dev.rampart.core.model.program.Stage;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.report.Provenance;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Deterministic certificates by bound propagation: for every input within an L-inf or L2 ball
 * (intersected with the model's input domain for L-inf), sound lower bounds on the margins
 * {@code z_y - z_j} between the true class's logit and every other; an example is verified at a
 * budget when every margin's lower bound is positive, and then no attack inside that budget can
 * change its prediction.
 *
 * <ul>
 *   <li>{@link Method#IBP}: interval bound propagation (Gowal, Dvijotham, Stanforth, Bunel, Qin,
 *       Uesato, Arandjelovic, Mann &amp; Kohli, 2018): each affine stage maps the centre and radius
 *       of its input box, each monotone stage its end points. One pass, as cheap as two forward passes.
 *   <li>{@link Method#CROWN}: linear relaxation with backward bound propagation (Zhang, Weng, Chen,
 *       Hsieh &amp; Daniel, NeurIPS 2018): each unstable ReLU is bounded between two lines
 *       (the chord above, a slope of 0 or 1 below chosen adaptively), and the margins are propagated
 *       backward as linear functions of the input, concretized over the ball at the end. The bounds
 *       of every ReLU's input are themselves computed this way, for the neurons interval bounds leave
 *       unstable. Every bound is intersected with the interval bound, so CROWN is never looser than IBP.
 *   <li>{@link Method#CROWN_IBP}: interval bounds for the hidden layers, CROWN for the margins
 *       (Zhang, Chen, Xiao, Gowal, Stanforth, Li, Boning &amp; Hsieh, ICLR 2020): between the two in cost
 *       and tightness.
 * </ul>
 *
 * <p>Models are the compiled programs of DL4J networks and ONNX graphs ({@link ProgramClassifier}):
 * dense, convolution, batch normalization in inference mode, flattening, average pooling, sums,
 * averages, differences and concatenations of graph vertices are affine; ReLU is relaxed as above;
 * max pooling is bounded below by the element with the largest lower bound and above by the largest
 * upper bound; other non-decreasing activations (sigmoid, tanh, leaky ReLU...) by their values at the
 * interval's end points. A stage of any other kind is refused at build time by {@link
 * UnboundedStageException}, which names it. Bounds are computed in the model's floating-point type.
 *
 * <pre>{@code
 * BoundPropagation crown = BoundPropagation.builder(model).method(BoundPropagation.Method.CROWN)
 *         .norm(Norm.LINF).build();
 * BoundCertificates c = crown.certify(testSet, 0.05, 0.1);
 * double verified = c.verifiedAccuracy(1);      // at epsilon 0.1
 * }</pre>
 */
public final class BoundPropagation {

    /** How bounds are computed. */
    public enum Method {
        IBP, CROWN_IBP, CROWN;

        /** The lower-case name used by the tool and reports ({@code ibp}, {@code crown-ibp}, {@code crown}). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** The largest number of examples one interval pass takes. */
    public static final int MAX_BATCH = 65_536;

    /**
     * The configuration.
     *
     * @param method IBP, CROWN-IBP or CROWN
     * @param norm the ball's norm
     * @param batchSize examples per interval pass
     * @param specRows rows of linear bounds propagated backward together (memory: rows times the
     *     largest hidden value of one example)
     */
    public record Config(Method method, Norm norm, int batchSize, int specRows) {
        /** @throws IllegalArgumentException naming a bad field */
        public Config {
            Check.notNull("method", method);
            Check.notNull("norm", norm);
            Check.inRange("batchSize", batchSize, 1, MAX_BATCH);
            Check.inRange("specRows", specRows, 1, MAX_BATCH);
        }
    }

    /** Lower and upper bounds of the logits, each {@code [n, classes]}. */
    public record Bounds(INDArray lower, INDArray upper) {
    }

    private final ProgramClassifier model;
    private final InferenceProgram program;
    private final List<InferenceProgram.Node> nodes;
    private final Config config;
    /** Per value: whether a non-affine stage lies between the input and it. */
    private final boolean[] nonlinearUpstream;
    /** Per value: the number of affine stages with parameters between the input and it. */
    private final int[] affineDepth;

    private BoundPropagation(ProgramClassifier model, Config config) {
        this.model = model;
        this.program = model.program();
        this.nodes = program.nodes();
        this.config = config;
        this.nonlinearUpstream = new boolean[nodes.size() + 1];
        this.affineDepth = new int[nodes.size() + 1];
        for (int i = 0; i < nodes.size(); i++) {
            InferenceProgram.Node node = nodes.get(i);
            Stage.Kind kind = node.stage().kind();
            if (kind == Stage.Kind.OTHER || (kind == Stage.Kind.AFFINE && node.stage().absolute() == null)) {
                throw new UnboundedStageException(i, node.stage().describe());
            }
            if (kind != Stage.Kind.AFFINE && node.inputs().length != 1) {
                throw new UnboundedStageException(i, node.stage().describe() + " with " + node.inputs().length
                        + " inputs");
            }
            boolean nonlinear = kind != Stage.Kind.AFFINE;
            int depth = 0;
            for (int k : node.inputs()) {
                nonlinear |= nonlinearUpstream[k];
                depth = Math.max(depth, affineDepth[k]);
            }
            nonlinearUpstream[i + 1] = nonlinear;
            affineDepth[i + 1] = depth + (node.stage().hasParameters() ? 1 : 0);
        }
    }

    /**
     * A builder with defaults CROWN, L-inf, batches of 512 and 1,024 backward rows.
     *
     * @param model a compiled DL4J or ONNX model
     * @throws IllegalArgumentException if the model is not a compiled program
     */
    public static Builder builder(Classifier model) {
        Check.notNull("model", model);
        if (!(model instanceof ProgramClassifier p)) {
            throw new IllegalArgumentException("model must be a compiled DL4J or ONNX model (a network whose layers"
                    + " Rampart can bound), found " + model.getClass().getSimpleName());
        }
        return new Builder(p);
    }

    public Config config() {
        return config;
    }

    /**
     * Sound bounds of the logits for every input within {@code epsilon} of each row of {@code x}.
     *
     * @throws IllegalArgumentException naming a bad input or budget
     */
    public Bounds logitBounds(INDArray x, double epsilon) {
        INDArray in = Inputs.asType(model, x, "x");
        checkEpsilon(epsilon);
        INDArray[] lo = new INDArray[(int) Math.ceil((double) in.size(0) / config.batchSize())];
        INDArray[] hi = new INDArray[lo.length];
        for (int b = 0; b < lo.length; b++) {
            long from = (long) b * config.batchSize();
            INDArray chunk = in.get(NDArrayIndex.interval(from, Math.min(in.size(0), from + config.batchSize())));
            Intervals iv = intervals(chunk, epsilon, config.method() == Method.CROWN);
            int last = nodes.size();
            lo[b] = iv.lower[last];
            hi[b] = iv.upper[last];
            if (config.method() == Method.IBP) {
                continue;
            }
            int classes = (int) lo[b].size(1);
            INDArray a = Nd4j.eye(classes).castTo(lo[b].dataType());
            INDArray both = Nd4j.concat(0, a, a.neg());
            for (int e = 0; e < chunk.size(0); e++) {
                double[] lb = lowerBounds(last, both, iv, chunk, e, epsilon);
                for (int j = 0; j < classes; j++) {
                    lo[b].putScalar(e, j, Math.max(lo[b].getDouble(e, j), lb[j]));
                    hi[b].putScalar(e, j, Math.min(hi[b].getDouble(e, j), -lb[classes + j]));
                }
            }
        }
        return new Bounds(lo.length == 1 ? lo[0] : Nd4j.concat(0, lo), hi.length == 1 ? hi[0] : Nd4j.concat(0, hi));
    }

    /**
     * Lower bounds of {@code z_y - z_j} for every class {@code j} over the ball of {@code epsilon}
     * around each row of {@code x} ({@code 0} at {@code j = y}): {@code [n, classes]} in double.
     *
     * @throws IllegalArgumentException naming a bad input, label or budget
     */
    public double[][] marginLowerBounds(INDArray x, int[] labels, double epsilon) {
        INDArray in = Inputs.asType(model, x, "x");
        Inputs.checkLabels(labels, in.size(0), model.numClasses(), "labels");
        checkEpsilon(epsilon);
        int n = (int) in.size(0);
        int classes = model.numClasses();
        double[][] out = new double[n][];
        for (int from = 0; from < n; from += config.batchSize()) {
            int to = Math.min(n, from + config.batchSize());
            INDArray chunk = in.get(NDArrayIndex.interval(from, to));
            {
                Intervals iv = intervals(chunk, epsilon, config.method() == Method.CROWN);
                int last = nodes.size();
                double[][] l = iv.lower[last].castTo(DataType.DOUBLE).toDoubleMatrix();
                double[][] u = iv.upper[last].castTo(DataType.DOUBLE).toDoubleMatrix();
                for (int e = 0; e < to - from; e++) {
                    int y = labels[from + e];
                    double[] m = new double[classes];
                    for (int j = 0; j < classes; j++) {
                        m[j] = j == y ? 0 : l[e][y] - u[e][j];
                    }
                    if (config.method() != Method.IBP) {
                        INDArray spec = Nd4j.zeros(iv.lower[last].dataType(), classes, classes);
                        for (int j = 0; j < classes; j++) {
                            if (j != y) {
                                spec.putScalar(j, y, 1.0);
                                spec.putScalar(j, j, -1.0);
                            }
                        }
                        double[] lb = lowerBounds(last, spec, iv, chunk, e, epsilon);
                        for (int j = 0; j < classes; j++) {
                            m[j] = j == y ? 0 : Math.max(m[j], lb[j]);
                        }
                    }
                    out[from + e] = m;
                }
            }
        }
        return out;
    }

    /**
     * Certificates at every budget: an example is verified at a budget when the model classifies it
     * correctly and every margin's lower bound is positive.
     *
     * @param epsilons budgets, each finite and non-negative
     * @throws IllegalArgumentException naming bad data or a bad budget
     */
    public BoundCertificates certify(LabeledData data, double... epsilons) {
        Check.notNull("data", data);
        return certify(data.features(), data.labels(), epsilons);
    }

    /** As {@link #certify(LabeledData, double...)}, for inputs and their labels. */
    public BoundCertificates certify(INDArray x, int[] labels, double... epsilons) {
        Check.notNull("epsilons", epsilons);
        if (epsilons.length == 0) {
            throw new IllegalArgumentException("epsilons must hold at least one budget");
        }
        for (double e : epsilons) {
            checkEpsilon(e);
        }
        long start = System.nanoTime();
        INDArray in = Inputs.asType(model, x, "x");
        Inputs.checkLabels(labels, in.size(0), model.numClasses(), "labels");
        int[] predicted = model.predictClasses(in);
        double[][] margins = new double[epsilons.length][];
        for (int k = 0; k < epsilons.length; k++) {
            double[][] m = marginLowerBounds(in, labels, epsilons[k]);
            margins[k] = new double[m.length];
            for (int i = 0; i < m.length; i++) {
                double min = Double.POSITIVE_INFINITY;
                for (int j = 0; j < m[i].length; j++) {
                    if (j != labels[i]) {
                        min = Math.min(min, m[i][j]);
                    }
                }
                margins[k][i] = min;
            }
        }
        return new BoundCertificates(epsilons.clone(), labels.clone(), predicted, margins, config,
                (System.nanoTime() - start) / 1e9, Provenance.current());
    }

    private static void checkEpsilon(double epsilon) {
        if (!Double.isFinite(epsilon) || epsilon < 0) {
            throw new IllegalArgumentException("epsilon must be finite and non-negative, found " + epsilon);
        }
    }

    /** Interval bounds of every value for a batch; with {@code refine}, CROWN bounds where they matter. */
    private static final class Intervals {
        final INDArray[] lower;
        final INDArray[] upper;

        Intervals(int values) {
            lower = new INDArray[values];
            upper = new INDArray[values];
        }
    }

    /** The input box: the ball's bounding box, intersected with the domain. */
    private INDArray[] inputBox(INDArray x, double epsilon) {
        double lo = model.domain().min();
        double hi = model.domain().max();
        INDArray l = x.sub(epsilon);
        INDArray u = x.add(epsilon);
        if (Double.isFinite(lo)) {
            l = Transforms.max(l, lo, false);
        }
        if (Double.isFinite(hi)) {
            u = Transforms.min(u, hi, false);
        }
        return new INDArray[] {l, u};
    }

    private Intervals intervals(INDArray x, double epsilon, boolean refine) {
        Intervals iv = new Intervals(nodes.size() + 1);
        INDArray[] box = inputBox(x, epsilon);
        iv.lower[0] = box[0];
        iv.upper[0] = box[1];
        for (int i = 0; i < nodes.size(); i++) {
            InferenceProgram.Node node = nodes.get(i);
            Stage stage = node.stage();
            if (refine && stage.kind() != Stage.Kind.AFFINE && needsRefinement(stage, node.inputs()[0])) {
                refine(iv, node.inputs()[0], x, epsilon, stage.kind() == Stage.Kind.RELU);
            }
            intervalStep(node, i, iv.lower, iv.upper);
        }
        return iv;
    }

    /**
     * Interval arithmetic through node {@code i}: its output bounds {@code lo[i + 1], hi[i + 1]} from
     * its inputs' bounds. An affine stage maps the centre and, through its absolute map, the radius;
     * any other kind is non-decreasing and maps the end points.
     */
    static void intervalStep(InferenceProgram.Node node, int i, INDArray[] lo, INDArray[] hi) {
        Stage stage = node.stage();
        int[] inputs = node.inputs();
        if (stage.kind() == Stage.Kind.AFFINE) {
            INDArray[][] cr = centreRadius(inputs, lo, hi);
            INDArray m = stage.forward(cr[0]);
            INDArray r = stage.absolute().forward(cr[1]);
            lo[i + 1] = m.sub(r);
            hi[i + 1] = m.add(r);
        } else {
            lo[i + 1] = stage.forward(new INDArray[] {lo[inputs[0]]});
            hi[i + 1] = stage.forward(new INDArray[] {hi[inputs[0]]});
        }
    }

    /** The centres and radii of the intervals of values {@code inputs}. */
    static INDArray[][] centreRadius(int[] inputs, INDArray[] lo, INDArray[] hi) {
        INDArray[] mid = new INDArray[inputs.length];
        INDArray[] rad = new INDArray[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            mid[k] = lo[inputs[k]].add(hi[inputs[k]]).muli(0.5);
            rad[k] = hi[inputs[k]].sub(lo[inputs[k]]).muli(0.5);
        }
        return new INDArray[][] {mid, rad};
    }

    /**
     * Whether CROWN can tighten the interval bounds of value {@code v}: not when it is one affine map
     * of the L-inf box (the interval is then exact) or when it was refined already.
     */
    private boolean needsRefinement(Stage stage, int v) {
        return v > 0 && (nonlinearUpstream[v] || affineDepth[v] > 1 || config.norm() == Norm.L2);
    }

    /** Tightens the bounds of value {@code v}, example by example, by backward propagation. */
    private void refine(Intervals iv, int v, INDArray x, double epsilon, boolean unstableOnly) {
        long n = x.size(0);
        long[] shape = iv.lower[v].shape();
        long size = iv.lower[v].length() / n;
        INDArray l = iv.lower[v].dup('c').reshape('c', new long[] {n, size});
        INDArray u = iv.upper[v].dup('c').reshape('c', new long[] {n, size});
        for (int e = 0; e < n; e++) {
            double[] le = l.getRow(e).castTo(DataType.DOUBLE).toDoubleVector();
            double[] ue = u.getRow(e).castTo(DataType.DOUBLE).toDoubleVector();
            int[] which = java.util.stream.IntStream.range(0, (int) size)
                    .filter(j -> !unstableOnly || (le[j] < 0 && ue[j] > 0)).toArray();
            int rows = Math.max(1, config.specRows() / 2);
            for (int from = 0; from < which.length; from += rows) {
                int count = Math.min(rows, which.length - from);
                INDArray spec = Nd4j.zeros(l.dataType(), 2L * count, size);
                for (int r = 0; r < count; r++) {
                    spec.putScalar(r, which[from + r], 1.0);
                    spec.putScalar(count + r, which[from + r], -1.0);
                }
                long[] specShape = shape.clone();
                specShape[0] = 2L * count;
                double[] lb = lowerBounds(v, spec.reshape('c', specShape), iv, x, e, epsilon);
                for (int r = 0; r < count; r++) {
                    int j = which[from + r];
                    le[j] = Math.max(le[j], lb[r]);
                    ue[j] = Math.min(ue[j], -lb[count + r]);
                }
            }
            l.putRow(e, Nd4j.createFromArray(le).castTo(l.dataType()));
            u.putRow(e, Nd4j.createFromArray(ue).castTo(u.dataType()));
        }
        iv.lower[v] = l.reshape('c', shape);
        iv.upper[v] = u.reshape('c', shape);
    }

    /** {@link #lowerBound} in the loop workspace, which is reused from call to call. */
    private double[] lowerBounds(int t, INDArray spec, Intervals iv, INDArray x, int e, double epsilon) {
        try (MemoryWorkspace ws = Workspaces.loop()) {
            return lowerBound(t, spec, iv, x, e, epsilon).castTo(DataType.DOUBLE).toDoubleVector();
        }
    }

    /**
     * Lower bounds, over the ball around example {@code e} of {@code x}, of {@code spec . value_t}
     * for every row of {@code spec} ({@code [rows, shape of value t]}), by backward propagation of
     * linear bounds.
     */
    private INDArray lowerBound(int t, INDArray spec, Intervals iv, INDArray x, int e, double epsilon) {
        long rows = spec.size(0);
        DataType type = spec.dataType();
        INDArray constant = Nd4j.zeros(type, rows);
        INDArray[] a = new INDArray[t + 1];
        a[t] = spec;
        for (int i = t - 1; i >= 0; i--) {
            INDArray g = a[i + 1];
            if (g == null) {
                continue;
            }
            a[i + 1] = null;
            InferenceProgram.Node node = nodes.get(i);
            Stage stage = node.stage();
            int[] inputs = node.inputs();
            INDArray g2 = matrix(g, rows);
            switch (stage.kind()) {
                case AFFINE -> {
                    INDArray[] zeros1 = new INDArray[inputs.length];
                    INDArray[] zerosRows = new INDArray[inputs.length];
                    for (int k = 0; k < inputs.length; k++) {
                        zeros1[k] = Nd4j.zeros(type, example(iv.lower[inputs[k]], e).shape());
                        long[] s = iv.lower[inputs[k]].shape().clone();
                        s[0] = rows;
                        zerosRows[k] = Nd4j.zeros(type, s);
                    }
                    INDArray offset = matrix(stage.forward(zeros1), 1);
                    constant.addi(g2.mmul(offset.transpose()).reshape(new long[] {rows}));
                    INDArray[] back = stage.backward(zerosRows, null, g.dup('c'));
                    for (int k = 0; k < inputs.length; k++) {
                        accumulate(a, inputs[k], back[k]);
                    }
                }
                case RELU -> {
                    int v = inputs[0];
                    INDArray l = vector(example(iv.lower[v], e));
                    INDArray u = vector(example(iv.upper[v], e));
                    INDArray[] relax = reluRelaxation(l, u);
                    INDArray pos = Transforms.max(g2, 0.0, true);
                    INDArray neg = Transforms.min(g2, 0.0, true);
                    constant.addi(neg.mmul(column(relax[2])).reshape(new long[] {rows}));
                    INDArray next = pos.mulRowVector(relax[0]).addi(neg.mulRowVector(relax[1]));
                    accumulate(a, v, next.reshape('c', shapeOf(iv.lower[v], rows)));
                }
                case MAX_POOL -> {
                    int v = inputs[0];
                    INDArray pos = Transforms.max(g2, 0.0, true);
                    INDArray neg = Transforms.min(g2, 0.0, true);
                    INDArray upperOut = column(example(iv.upper[i + 1], e));
                    constant.addi(neg.mmul(upperOut).reshape(new long[] {rows}));
                    INDArray lowIn = example(iv.lower[v], e);
                    INDArray repeated = Nd4j.repeat(lowIn, (int) rows).reshape('c', shapeOf(iv.lower[v], rows));
                    INDArray back = stage.backward(new INDArray[] {repeated}, null,
                            pos.reshape('c', shapeOf(iv.lower[i + 1], rows)))[0];
                    accumulate(a, v, back);
                }
                case MONOTONE -> {
                    INDArray pos = Transforms.max(g2, 0.0, true);
                    INDArray neg = Transforms.min(g2, 0.0, true);
                    INDArray lowOut = column(example(iv.lower[i + 1], e));
                    INDArray upOut = column(example(iv.upper[i + 1], e));
                    constant.addi(pos.mmul(lowOut).reshape(new long[] {rows})).addi(neg.mmul(upOut).reshape(new long[] {rows}));
                }
                default -> throw new UnboundedStageException(i, stage.describe());
            }
        }
        INDArray a0 = a[0];
        if (a0 == null) {
            return constant;
        }
        INDArray flat = matrix(a0, rows);
        if (config.norm() == Norm.LINF) {
            INDArray[] box = inputBox(example(x, e), epsilon);
            INDArray pos = Transforms.max(flat, 0.0, true);
            INDArray neg = Transforms.min(flat, 0.0, true);
            return constant.addi(pos.mmul(column(box[0])).reshape(new long[] {rows}))
                    .addi(neg.mmul(column(box[1])).reshape(new long[] {rows}));
        }
        INDArray centre = flat.mmul(column(example(x, e))).reshape(new long[] {rows});
        return constant.addi(centre).subi(flat.norm2(1).muli(epsilon));
    }

    /**
     * CROWN's relaxation of ReLU on {@code [l, u]}: the lower slope (1 where active, 0 where dead,
     * for an unstable neuron 1 when {@code u > -l} else 0), the upper slope ({@code u / (u - l)} for
     * an unstable neuron) and the upper line's intercept ({@code -l u / (u - l)}).
     */
    static INDArray[] reluRelaxation(INDArray l, INDArray u) {
        double[] lo = l.castTo(DataType.DOUBLE).toDoubleVector();
        double[] hi = u.castTo(DataType.DOUBLE).toDoubleVector();
        double[] lower = new double[lo.length];
        double[] upper = new double[lo.length];
        double[] intercept = new double[lo.length];
        for (int j = 0; j < lo.length; j++) {
            if (lo[j] >= 0) {
                lower[j] = 1;
                upper[j] = 1;
            } else if (hi[j] > 0) {
                double s = hi[j] / (hi[j] - lo[j]);
                upper[j] = s;
                intercept[j] = -s * lo[j];
                lower[j] = hi[j] > -lo[j] ? 1 : 0;
            }
        }
        DataType type = l.dataType();
        return new INDArray[] {Nd4j.createFromArray(lower).castTo(type), Nd4j.createFromArray(upper).castTo(type),
                Nd4j.createFromArray(intercept).castTo(type)};
    }

    private static void accumulate(INDArray[] a, int value, INDArray g) {
        if (g != null) {
            a[value] = a[value] == null ? g : a[value].add(g);
        }
    }

    /** Example {@code e} of a batch, as a batch of one. */
    private static INDArray example(INDArray batch, int e) {
        return batch.get(NDArrayIndex.interval(e, e + 1)).dup('c');
    }

    private static INDArray matrix(INDArray a, long rows) {
        return a.reshape('c', new long[] {rows, a.length() / rows});
    }

    private static INDArray column(INDArray a) {
        return a.reshape('c', new long[] {a.length(), 1});
    }

    private static INDArray vector(INDArray a) {
        return a.reshape('c', new long[] {a.length()});
    }

    private static long[] shapeOf(INDArray batch, long rows) {
        long[] s = batch.shape().clone();
        s[0] = rows;
        return s;
    }

    @Override
    public String toString() {
        return "BoundPropagation" + config;
    }

    /** Builds a {@link BoundPropagation}; every setter's argument is checked at {@link #build()}. */
    public static final class Builder {
        private final ProgramClassifier model;
        private Method method = Method.CROWN;
        private Norm norm = Norm.LINF;
        private int batchSize = 512;
        private int specRows = 1024;

        private Builder(ProgramClassifier model) {
            this.model = model;
        }

        public Builder method(Method method) {
            this.method = method;
            return this;
        }

        public Builder norm(Norm norm) {
            this.norm = norm;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder specRows(int specRows) {
            this.specRows = specRows;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming a bad setting
         * @throws UnboundedStageException naming a stage of the model that cannot be bounded
         */
        public BoundPropagation build() {
            return new BoundPropagation(model, new Config(method, norm, batchSize, specRows));
        }
    }
}
