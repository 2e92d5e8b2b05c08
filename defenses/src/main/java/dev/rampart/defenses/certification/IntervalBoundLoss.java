package dev.rampart.defenses.certification;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.model.program.InferenceProgram;
import dev.rampart.core.model.program.ProgramClassifier;
import dev.rampart.core.model.program.Stage;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The robust loss of interval bound propagation and its exact gradient with respect to every
 * parameter: the cross-entropy of the worst-case logits {@code -m_j} (Gowal et al., 2018), where
 * {@code m_j} is the interval lower bound of the margin {@code z_y - z_j} over the L-inf ball. The
 * last stage, a dense layer, is merged with the margins (their "elision"), so that each margin is
 * bounded as one affine function of the last hidden layer, which is tighter. Certified
 * training ({@code AdversarialTraining.Method.IBP}) mixes it with the clean loss.
 *
 * <p>The gradient is summed over the batch and laid out like {@link TrainableModel#parameters()},
 * so it goes to the model's own updater ({@code PerExampleGradients.applyGradient}). Every stage with
 * parameters must compute its own parameter gradients (dense and convolution layers); batch
 * normalization is refused, as it is in IBP training generally.
 *
 * <pre>{@code
 * IntervalBoundLoss ibp = new IntervalBoundLoss(model);
 * IntervalBoundLoss.Result r = ibp.lossAndGradient(x, labels, 0.1);
 * model.applyGradient(r.gradient(), labels.length);
 * }</pre>
 */
public final class IntervalBoundLoss {

    /**
     * The batch's mean robust loss, the gradient of its sum, and the share of the batch whose
     * margin bounds are all positive (verified by IBP).
     */
    public record Result(double loss, INDArray gradient, double verified) {
    }

    private final ProgramClassifier model;
    private final TrainableModel trainable;
    private final List<InferenceProgram.Node> nodes;
    /** Where each stage's parameter arrays sit in the flat parameter vector. */
    private final Map<Stage, long[]> offsets = new IdentityHashMap<>();

    /**
     * @param model a compiled DL4J model that can train
     * @throws IllegalArgumentException if it is not one, or holds a stage that cannot be bounded or
     *     trained this way (named)
     */
    public IntervalBoundLoss(ProgramClassifier model) {
        Check.notNull("model", model);
        if (!(model instanceof TrainableModel t)) {
            throw new IllegalArgumentException("model must be a trainable DL4J model, found "
                    + model.getClass().getSimpleName());
        }
        BoundPropagation.builder(model).build(); // refuses stages that cannot be bounded, by name
        this.model = model;
        this.trainable = t;
        this.nodes = model.program().nodes();
        InferenceProgram.Node last = nodes.get(nodes.size() - 1);
        if (!(last.stage() instanceof dev.rampart.core.model.program.Stages.Dense) || last.inputs().length != 1) {
            throw new IllegalArgumentException("interval training needs a dense output layer, found "
                    + last.stage().describe());
        }
        INDArray params = t.parameters();
        long covered = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Stage s = nodes.get(i).stage();
            if (!s.hasParameters()) {
                continue;
            }
            INDArray[] arrays = s.parameterArrays();
            if (arrays.length == 0) {
                throw new UnboundedStageException(i, s.describe() + ", whose parameters interval training cannot"
                        + " train");
            }
            long[] at = new long[arrays.length];
            for (int k = 0; k < arrays.length; k++) {
                at[k] = arrays[k].offset() - params.offset();
                INDArray same = view(params, arrays[k], at[k]);
                if (!same.equals(arrays[k])) {
                    throw new IllegalStateException("the parameters of stage " + i + " (" + s.describe()
                            + ") are not views of the model's parameter vector");
                }
                covered += arrays[k].length();
            }
            offsets.put(s, at);
        }
        if (covered != params.length()) {
            throw new IllegalArgumentException("interval training covers " + covered + " of the model's "
                    + params.length() + " parameters: a layer holds parameters it cannot train");
        }
    }

    private static INDArray view(INDArray flat, INDArray like, long offset) {
        return Nd4j.create(flat.data(), like.shape(), like.stride(), offset + flat.offset(), like.ordering());
    }

    /**
     * The robust loss of a batch and its gradient.
     *
     * @param x inputs in the model's shape and domain
     * @param labels their classes
     * @param epsilon the L-inf budget, finite and non-negative
     * @throws IllegalArgumentException naming a bad argument
     */
    public Result lossAndGradient(INDArray x, int[] labels, double epsilon) {
        return lossAndGradient(x, labels, epsilon, 0);
    }

    /**
     * The robust loss of CROWN-IBP (Zhang et al., ICLR 2020): the margins' lower bound is {@code
     * crownWeight} times CROWN's, propagated backward through the interval bounds of the hidden
     * layers, plus {@code 1 - crownWeight} times the interval one; its exact gradient. CROWN-IBP
     * trains with the weight ramped from 1 down to 0.
     *
     * @param crownWeight in [0, 1]; 0 is {@link #lossAndGradient(INDArray, int[], double)}
     * @throws IllegalArgumentException naming a bad argument, or a layer CROWN-IBP training does
     *     not handle (max pooling, activations other than ReLU)
     */
    public Result lossAndGradient(INDArray x, int[] labels, double epsilon, double crownWeight) {
        if (!(crownWeight >= 0 && crownWeight <= 1)) {
            throw new IllegalArgumentException("crownWeight must be in [0, 1], found " + crownWeight);
        }
        if (crownWeight > 0) {
            for (int i = 0; i < nodes.size(); i++) {
                Stage.Kind k = nodes.get(i).stage().kind();
                if (k == Stage.Kind.MAX_POOL || k == Stage.Kind.MONOTONE) {
                    throw new UnboundedStageException(i, nodes.get(i).stage().describe() + ", which CROWN-IBP training"
                            + " does not relax (ReLU networks without max pooling)");
                }
            }
        }
        INDArray in = Inputs.asType(model, x, "x");
        Inputs.checkLabels(labels, in.size(0), model.numClasses(), "labels");
        if (!Double.isFinite(epsilon) || epsilon < 0) {
            throw new IllegalArgumentException("epsilon must be finite and non-negative, found " + epsilon);
        }
        int n = labels.length;
        int count = nodes.size();
        int top = count - 1;                       // the last (dense) stage is merged with the margins
        INDArray[] lo = new INDArray[count + 1];
        INDArray[] hi = new INDArray[count + 1];
        double min = model.domain().min();
        double max = model.domain().max();
        lo[0] = Transforms.max(in.sub(epsilon), min, false);
        hi[0] = Transforms.min(in.add(epsilon), max, false);
        for (int i = 0; i < top; i++) {
            BoundPropagation.intervalStep(nodes.get(i), i, lo, hi);
        }
        INDArray gradFlat = Nd4j.zeros(trainable.parameters().dataType(), trainable.parameters().length());
        INDArray[] gl = new INDArray[count + 1];
        INDArray[] gu = new INDArray[count + 1];
        double[] loss = new double[1];
        double[] verified = new double[1];
        InferenceProgram.Node last = nodes.get(count - 1);
        int p = last.inputs()[0];
        INDArray[][] cr = BoundPropagation.centreRadius(last.inputs(), lo, hi);
        INDArray m = elidedMargins(last.stage(), cr[0][0], cr[1][0], labels);
        CrownPass crown = crownWeight > 0 ? new CrownPass(lo, hi, labels, (int) m.size(1)) : null;
        if (crown != null) {
            m = m.muli(1 - crownWeight).addi(crown.margins().muli(crownWeight));
        }
        INDArray dm = marginLoss(m, labels, loss, verified);              // [n, classes], 0 at y
        INDArray[] g = elidedBackward(last.stage(), cr[0][0], cr[1][0], labels, dm.mul(1 - crownWeight), gradFlat);
        gl[p] = g[0].sub(g[1]).muli(0.5);
        gu[p] = g[0].add(g[1]).muli(0.5);
        if (crown != null) {
            crown.backward(dm.mul(crownWeight), gradFlat, gl, gu);
        }
        int start = count - 2;
        for (int i = start; i >= 0; i--) {
            backward(i, lo, hi, gl, gu, gradFlat);
        }
        return new Result(loss[0] / n, gradFlat, verified[0] / n);
    }

    /**
     * Cross-entropy of the worst-case logits {@code -m} ({@code m_y = 0}) given the margin bounds
     * {@code m [n, classes]}; returns {@code dLoss/dm} (0 in the label's column) and adds to the
     * loss and to the count of verified examples.
     */
    private static INDArray marginLoss(INDArray m, int[] labels, double[] loss, double[] verified) {
        int n = labels.length;
        INDArray worst = m.neg();
        for (int i = 0; i < n; i++) {
            worst.putScalar(i, labels[i], 0.0);
        }
        INDArray maxRow = worst.max(1);
        INDArray shifted = worst.subColumnVector(maxRow.reshape(n, 1));
        INDArray e = Transforms.exp(shifted, true);
        INDArray sum = e.sum(1);
        INDArray p = e.diviColumnVector(sum.reshape(n, 1));
        double[] lse = Transforms.log(sum, true).addi(maxRow).castTo(DataType.DOUBLE).toDoubleVector();
        double[][] mm = worst.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < n; i++) {
            loss[0] += lse[i];
            boolean all = true;
            for (int j = 0; j < mm[i].length; j++) {
                all &= j == labels[i] || mm[i][j] < 0;
            }
            verified[0] += all ? 1 : 0;
        }
        INDArray g = p.negi();                    // dLoss/dm_j = -p_j for j != y
        for (int i = 0; i < n; i++) {
            g.putScalar(i, labels[i], 0.0);
        }
        return g;
    }

    /**
     * Margins through the last dense layer {@code z = h W + b}: {@code m_j = (mid)(W_y - W_j) + b_y - b_j
     * - (rad)|W_y - W_j|}; adds the layer's parameter gradients and returns the gradients at the
     * hidden interval's centre and radius.
     */
    private INDArray elidedMargins(Stage last, INDArray mid, INDArray rad, int[] labels) {
        INDArray[] wb = last.parameterArrays();
        INDArray w = wb[0];                       // [hidden, classes]
        INDArray b = wb.length > 1 ? wb[1].reshape(-1) : null;
        int n = labels.length;
        int classes = (int) w.size(1);
        INDArray midFlat = mid.reshape(n, -1);
        INDArray radFlat = rad.reshape(n, -1);
        INDArray mw = midFlat.mmul(w);            // [n, classes]
        INDArray m = Nd4j.create(mw.dataType(), n, classes);
        INDArray[] absDiff = new INDArray[classes];
        INDArray[] signDiff = new INDArray[classes];
        for (int y = 0; y < classes; y++) {
            INDArray diff = w.rsubColumnVector(w.getColumn(y).reshape(-1, 1)); // W_y - W_j, [hidden, classes]
            absDiff[y] = Transforms.abs(diff, true);
            signDiff[y] = Transforms.sign(diff, false);
        }
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            INDArray row = mw.getRow(i).rsub(mw.getDouble(i, y)).reshape(1, classes);
            if (b != null) {
                row.addi(b.rsub(b.getDouble(y)).reshape(1, classes));
            }
            row.subi(radFlat.getRow(i).reshape(1, -1).mmul(absDiff[y]));
            m.putRow(i, row);
        }
        return m;
    }

    /**
     * The backward pass of {@link #elidedMargins}: given {@code g = dLoss/dm}, adds the last layer's
     * parameter gradients and returns the gradients at the hidden interval's centre and radius.
     */
    private INDArray[] elidedBackward(Stage last, INDArray mid, INDArray rad, int[] labels, INDArray g,
            INDArray gradFlat) {
        INDArray[] wb = last.parameterArrays();
        INDArray w = wb[0];
        INDArray b = wb.length > 1 ? wb[1].reshape(-1) : null;
        int n = labels.length;
        int classes = (int) w.size(1);
        INDArray midFlat = mid.reshape(n, -1);
        INDArray radFlat = rad.reshape(n, -1);
        INDArray[] absDiff = new INDArray[classes];
        INDArray[] signDiff = new INDArray[classes];
        for (int y = 0; y < classes; y++) {
            INDArray diff = w.rsubColumnVector(w.getColumn(y).reshape(-1, 1));
            absDiff[y] = Transforms.abs(diff, true);
            signDiff[y] = Transforms.sign(diff, false);
        }
        INDArray s = g.sum(1);
        INDArray eMinusG = g.neg();
        for (int i = 0; i < n; i++) {
            eMinusG.putScalar(i, labels[i], s.getDouble(i));
        }
        INDArray gMid = eMinusG.mmul(w.transpose()).reshape(mid.shape());
        INDArray gW = midFlat.transpose().mmul(eMinusG);
        INDArray gRad = Nd4j.create(radFlat.dataType(), radFlat.shape());
        for (int y = 0; y < classes; y++) {
            int[] rows = rowsOf(labels, y);
            if (rows.length == 0) {
                continue;
            }
            INDArray gy = g.getRows(rows);
            INDArray ry = radFlat.getRows(rows);
            INDArray gr = gy.mmul(absDiff[y].transpose()).negi();   // dLoss/drad
            for (int k = 0; k < rows.length; k++) {
                gRad.putRow(rows[k], gr.getRow(k));
            }
            INDArray t = ry.transpose().mmul(gy).muli(signDiff[y]);  // [hidden, classes]
            gW.addi(t);
            gW.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(y))
                    .subi(t.sum(1));
        }
        long[] at = offsets.get(last);
        view(gradFlat, w, at[0]).addi(gW);
        if (b != null) {
            view(gradFlat, wb[1], at[1]).addi(eMinusG.sum(0).reshape(wb[1].shape()));
        }
        return new INDArray[] {gMid, gRad.reshape(rad.shape())};
    }

    private static int[] rowsOf(int[] labels, int y) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == y) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * CROWN's backward bound propagation through the interval bounds of the hidden layers, batched
     * over every example and margin (row {@code i * classes + j}: {@code z_y - z_j} of example
     * {@code i}), keeping each value's coefficients for the gradient.
     */
    private final class CrownPass {
        private final INDArray[] lo;
        private final INDArray[] hi;
        private final int n;
        private final int rows;
        private final int classes;
        private final int[] exampleOf;
        /** Per value, the coefficients {@code [rows, size]} reaching it, or null. */
        private final INDArray[] coef;
        /** Per ReLU node, its relaxation {@code {lower slope, upper slope, intercept}} per example. */
        private final INDArray[][] relax;
        private final INDArray margins;

        CrownPass(INDArray[] lo, INDArray[] hi, int[] labels, int classes) {
            this.lo = lo;
            this.hi = hi;
            this.n = labels.length;
            this.rows = n * classes;
            this.classes = classes;
            this.exampleOf = new int[rows];
            int count = nodes.size();
            DataType type = lo[0].dataType();
            INDArray spec = Nd4j.zeros(type, rows, classes);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < classes; j++) {
                    int r = i * classes + j;
                    exampleOf[r] = i;
                    if (j != labels[i]) {
                        spec.putScalar(r, labels[i], 1.0);
                        spec.putScalar(r, j, -1.0);
                    }
                }
            }
            coef = new INDArray[count + 1];
            relax = new INDArray[count][];
            INDArray constant = Nd4j.zeros(type, rows, 1);
            INDArray[] acc = new INDArray[count + 1];
            acc[count] = spec;
            for (int i = count - 1; i >= 0; i--) {
                INDArray a = acc[i + 1];
                if (a == null) {
                    continue;
                }
                coef[i + 1] = a;
                InferenceProgram.Node node = nodes.get(i);
                Stage stage = node.stage();
                int[] inputs = node.inputs();
                if (stage.kind() == Stage.Kind.AFFINE) {
                    constant.addi(a.mmul(offset(node).reshape(-1, 1)));
                    INDArray[] zeros = new INDArray[inputs.length];
                    for (int k = 0; k < inputs.length; k++) {
                        zeros[k] = Nd4j.zeros(type, rowShape(inputs[k]));
                    }
                    INDArray[] back = stage.backward(zeros, null, a.reshape('c', rowShape(i + 1)).dup('c'));
                    for (int k = 0; k < inputs.length; k++) {
                        add(acc, inputs[k], back[k].reshape('c', rows, back[k].length() / rows));
                    }
                } else {
                    int v = inputs[0];
                    relax[i] = relaxation(v);
                    INDArray[] r = rowsOf(relax[i]);
                    INDArray pos = Transforms.max(a, 0.0, true);
                    INDArray neg = Transforms.min(a, 0.0, true);
                    constant.addi(neg.mul(r[2]).sum(1).reshape(rows, 1));
                    add(acc, v, pos.mul(r[0]).addi(neg.mul(r[1])));
                }
            }
            coef[0] = acc[0];
            INDArray[] box = rowsOf(new INDArray[] {lo[0].reshape('c', n, -1), hi[0].reshape('c', n, -1)});
            INDArray lb = constant.reshape(rows);
            if (acc[0] != null) {
                lb = lb.add(Transforms.max(acc[0], 0.0, true).mul(box[0]).sum(1))
                        .addi(Transforms.min(acc[0], 0.0, true).mul(box[1]).sum(1));
            }
            margins = lb.reshape(n, classes);
        }

        INDArray margins() {
            return margins.dup();
        }

        /** The shape of value {@code v} with {@code rows} examples. */
        private long[] rowShape(int v) {
            if (lo[v] == null) {
                return new long[] {rows, classes};   // the logits, which the interval pass stops before
            }
            long[] s = lo[v].shape().clone();
            s[0] = rows;
            return s;
        }

        /** {@code f(0)} of an affine node, flattened: the offset its bias adds. */
        private INDArray offset(InferenceProgram.Node node) {
            INDArray[] zeros = new INDArray[node.inputs().length];
            for (int k = 0; k < zeros.length; k++) {
                long[] s = lo[node.inputs()[k]].shape().clone();
                s[0] = 1;
                zeros[k] = Nd4j.zeros(lo[0].dataType(), s);
            }
            return node.stage().forward(zeros).reshape(-1);
        }

        /** Per-example arrays {@code [n, size]} repeated to one row per margin. */
        private INDArray[] rowsOf(INDArray[] perExample) {
            INDArray[] out = new INDArray[perExample.length];
            for (int k = 0; k < out.length; k++) {
                out[k] = perExample[k].getRows(exampleOf);
            }
            return out;
        }

        /** CROWN's ReLU relaxation on the intervals of value {@code v}, as {@code [n, size]} arrays. */
        private INDArray[] relaxation(int v) {
            INDArray[] r = BoundPropagation.reluRelaxation(lo[v].reshape(-1), hi[v].reshape(-1));
            long size = lo[v].length() / n;
            return new INDArray[] {r[0].reshape(n, size), r[1].reshape(n, size), r[2].reshape(n, size)};
        }

        /**
         * Given {@code dm = dLoss/dmargins [n, classes]}, adds the parameter gradients of the affine
         * stages and the gradients with respect to the ReLUs' interval bounds (to {@code gl, gu}).
         */
        void backward(INDArray dm, INDArray gradFlat, INDArray[] gl, INDArray[] gu) {
            int count = nodes.size();
            INDArray w = dm.reshape(rows, 1);
            INDArray[] g = new INDArray[count + 1];
            if (coef[0] != null) {
                INDArray[] box = rowsOf(new INDArray[] {lo[0].reshape('c', n, -1), hi[0].reshape('c', n, -1)});
                g[0] = coef[0].gt(0).castTo(box[0].dataType()).muli(box[0])
                        .addi(coef[0].lt(0).castTo(box[1].dataType()).muli(box[1])).muliColumnVector(w);
            }
            for (int i = 0; i < count; i++) {
                INDArray a = coef[i + 1];
                if (a == null) {
                    continue;
                }
                InferenceProgram.Node node = nodes.get(i);
                Stage stage = node.stage();
                int[] inputs = node.inputs();
                DataType type = a.dataType();
                if (stage.kind() == Stage.Kind.AFFINE) {
                    INDArray[] gin = new INDArray[inputs.length];
                    for (int k = 0; k < inputs.length; k++) {
                        gin[k] = g[inputs[k]] == null ? Nd4j.zeros(type, rowShape(inputs[k]))
                                : g[inputs[k]].reshape('c', rowShape(inputs[k]));
                    }
                    INDArray f0 = offset(node).reshape(1, -1);
                    // the transposed map's adjoint is the map; its offset counts once per unit of dLoss/dlb
                    g[i + 1] = stage.forward(gin).reshape('c', rows, -1).addi(w.sub(1).mmul(f0));
                    if (stage.hasParameters()) {
                        long[] at = offsets.get(stage);
                        INDArray[] arrays = stage.parameterArrays();
                        INDArray aShaped = a.reshape('c', rowShape(i + 1));
                        view(gradFlat, arrays[0], at[0]).addi(stage.parameterGradients(gin, aShaped)[0]);
                        if (arrays.length > 1) {
                            INDArray weighted = a.mulColumnVector(w).reshape('c', rowShape(i + 1));
                            view(gradFlat, arrays[1], at[1]).addi(stage.parameterGradients(gin, weighted)[1]);
                        }
                    }
                    continue;
                }
                int v = inputs[0];
                INDArray[] r = rowsOf(relax[i]);
                INDArray gv = g[v] == null ? Nd4j.zeros(type, a.shape()) : g[v];
                INDArray posMask = a.gt(0).castTo(type);
                INDArray neg = Transforms.min(a, 0.0, true);
                INDArray negMask = a.lt(0).castTo(type);
                g[i + 1] = posMask.muli(gv.mul(r[0])).addi(negMask.muli(gv.mul(r[1]).addi(r[2].mulColumnVector(w))));
                // the upper line's slope s and intercept -s l move with the interval [l, u]
                INDArray lRows = lo[v].reshape('c', n, -1).getRows(exampleOf);
                INDArray ds = neg.mul(gv).subi(neg.mul(lRows).muliColumnVector(w));
                INDArray dlDirect = neg.mul(r[1]).muliColumnVector(w).negi();
                INDArray dsEx = sumPerExample(ds);
                INDArray dlEx = sumPerExample(dlDirect);
                INDArray l = lo[v].reshape('c', n, -1);
                INDArray u = hi[v].reshape('c', n, -1);
                INDArray unstable = l.lt(0).castTo(type).muli(u.gt(0).castTo(type));
                INDArray width = u.sub(l);
                INDArray width2 = width.mul(width).addi(unstable.rsub(1));   // 1 where stable: no division by 0
                INDArray dsdl = u.div(width2).muli(unstable);
                INDArray dsdu = l.neg().divi(width2).muli(unstable);
                INDArray gLow = dlEx.muli(unstable).addi(dsEx.mul(dsdl));
                INDArray gUp = dsEx.mul(dsdu);
                add(gl, v, gLow.reshape('c', lo[v].shape()));
                add(gu, v, gUp.reshape('c', hi[v].shape()));
            }
        }

        private INDArray sumPerExample(INDArray perRow) {
            return perRow.reshape('c', n, rows / n, perRow.size(1)).sum(1);
        }
    }

    /** Back-propagates the gradients at node {@code i}'s output bounds to its inputs' bounds and parameters. */
    private void backward(int i, INDArray[] lo, INDArray[] hi, INDArray[] gl, INDArray[] gu, INDArray gradFlat) {
        INDArray gLo = gl[i + 1];
        INDArray gHi = gu[i + 1];
        if (gLo == null) {
            return;
        }
        InferenceProgram.Node node = nodes.get(i);
        Stage stage = node.stage();
        int[] inputs = node.inputs();
        boolean needInput = inputs.length > 1 || inputs[0] > 0;
        if (stage.kind() == Stage.Kind.AFFINE) {
            INDArray[][] cr = BoundPropagation.centreRadius(inputs, lo, hi);
            INDArray[] mid = cr[0];
            INDArray[] rad = cr[1];
            INDArray gMid = gLo.add(gHi);
            INDArray gRad = gHi.sub(gLo);
            if (stage.hasParameters()) {
                long[] at = offsets.get(stage);
                INDArray[] arrays = stage.parameterArrays();
                INDArray[] fromMid = stage.parameterGradients(mid, gMid);
                INDArray[] fromRad = stage.absolute().parameterGradients(rad, gRad);
                for (int k = 0; k < arrays.length; k++) {
                    view(gradFlat, arrays[k], at[k]).addi(fromMid[k]);
                }
                // the radius passes through |W|: its gradient reaches W through sign(W)
                view(gradFlat, arrays[0], at[0]).addi(fromRad[0].muli(Transforms.sign(arrays[0], true)));
            }
            if (!needInput) {
                return;
            }
            INDArray[] bm = stage.backward(mid, null, gMid.dup());
            INDArray[] br = stage.absolute().backward(rad, null, gRad.dup());
            for (int k = 0; k < inputs.length; k++) {
                add(gl, inputs[k], bm[k].sub(br[k]).muli(0.5));
                add(gu, inputs[k], bm[k].add(br[k]).muli(0.5));
            }
            return;
        }
        int v = inputs[0];
        if (v == 0) {
            return;
        }
        add(gl, v, stage.backward(new INDArray[] {lo[v]}, lo[i + 1], gLo.dup())[0]);
        add(gu, v, stage.backward(new INDArray[] {hi[v]}, hi[i + 1], gHi.dup())[0]);
    }

    private static void add(INDArray[] grads, int v, INDArray g) {
        grads[v] = grads[v] == null ? g : grads[v].add(g);
    }
}
