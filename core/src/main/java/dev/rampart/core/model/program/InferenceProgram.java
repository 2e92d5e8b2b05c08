package dev.rampart.core.model.program;

import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.memory.Workspaces;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A model compiled for inference-mode input gradients: a DL4J network or an ONNX graph replayed as
 * a DAG of {@link Stage}s built on libnd4j's ops, which back-propagates to the input alone.
 *
 * <p>DL4J's own backward pass runs in training mode (dropout on, batch statistics in batch
 * normalization) and also computes every parameter gradient; SameDiff's ONNX import cannot
 * differentiate every op. This program computes what the model computes when it predicts, and its
 * exact gradient. A DL4J program reads the network's parameter arrays on every call, so it follows
 * the network through training; it never writes to them.
 *
 * <p>Node 0 is the model input; every other node applies a stage to earlier nodes. The last node
 * holds the logits; the head applies the output activation and loss function, so any
 * activation/loss pair DL4J supports is handled.
 *
 * <pre>{@code
 * InferenceProgram p = new InferenceProgram(nodes, new ActivationSoftmax(), new LossMCXENT(), Map.of());
 * InferenceProgram.Result r = p.lossAndGradient(x, oneHotLabels);
 * }</pre>
 */
public final class InferenceProgram {

    /** One node: a stage and the indices of the nodes it reads. */
    public record Node(Stage stage, int[] inputs) {
    }


    private final List<Node> nodes;
    private final IActivation outputActivation;
    private final ILossFunction loss;
    /** For each value (0: the input), whether it or a value it depends on comes from a stage with parameters. */
    private final boolean[] parametersUpstream;
    /** Whether the head is a softmax with unweighted multi-class cross-entropy (gradient {@code p - t}). */
    private final boolean softmaxCrossEntropy;
    /** DL4J's default clipping of softmax outputs in multi-class cross-entropy. */
    private static final double SOFTMAX_CLIP = 1e-10;

    /** The value index of each hidden layer's output that the program computes as DL4J does. */
    private final Map<String, Integer> layerValues;

    public InferenceProgram(List<Node> nodes, IActivation outputActivation, ILossFunction loss,
            Map<String, Integer> layerValues) {
        this.nodes = List.copyOf(nodes);
        this.layerValues = Map.copyOf(layerValues);
        this.parametersUpstream = new boolean[nodes.size() + 1];
        for (int i = 0; i < nodes.size(); i++) {
            boolean any = nodes.get(i).stage().hasParameters();
            for (int k : nodes.get(i).inputs()) {
                any |= parametersUpstream[k];
            }
            parametersUpstream[i + 1] = any;
        }
        this.outputActivation = outputActivation;
        this.loss = loss;
        this.softmaxCrossEntropy = outputActivation instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax
                && loss instanceof org.nd4j.linalg.lossfunctions.impl.LossMCXENT mc && mc.getWeights() == null
                && mc.getSoftmaxClipEps() == SOFTMAX_CLIP;
    }

    /** The nodes, in the order they are computed (node {@code i} produces value {@code i + 1}). */
    public List<Node> nodes() {
        return nodes;
    }

    /** The values of every node, index 0 being {@code x}. */
    public INDArray[] forwardAll(INDArray x) {
        return forwardTo(x, nodes.size());
    }

    /** The values of nodes 0 to {@code last}, index 0 being {@code x}. */
    private INDArray[] forwardTo(INDArray x, int last) {
        INDArray[] values = new INDArray[last + 1];
        values[0] = x;
        for (int i = 0; i < last; i++) {
            values[i + 1] = nodes.get(i).stage().forward(gather(values, nodes.get(i).inputs()));
        }
        return values;
    }

    /**
     * The logits of {@code x}. Intermediate values live in a per-thread workspace reused from call
     * to call; the result leaves it for the caller's workspace, if one is open, else as an
     * ordinary array ({@code leverage()}).
     */
    public INDArray logits(INDArray x) {
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            INDArray[] values = forwardAll(x);
            return Workspaces.leverage(values[values.length - 1]);
        }
    }

    /**
     * Hidden layer {@code layer}'s output for {@code x}, computing only the nodes up to it (in the
     * same workspace as {@link #logits}), or null when the program does not hold that layer's
     * output (the output layer, or a ReLU it moved behind max pooling).
     */
    public INDArray layerOutput(INDArray x, String layer) {
        Integer v = layerValues.get(layer);
        if (v == null) {
            return null;
        }
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            return Workspaces.leverage(forwardTo(x, v)[v].dup());
        }
    }

    /** The class probabilities of {@code x}, computed as {@link #logits} is. */
    public INDArray probabilities(INDArray x) {
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            INDArray[] values = forwardAll(x);
            return Workspaces.leverage(activate(values[values.length - 1]));
        }
    }

    private INDArray activate(INDArray logits) {
        return outputActivation.getActivation(logits.dup(), false);
    }

    /**
     * Per-example loss, input gradient and probabilities in one pass. Intermediate arrays live in
     * a per-thread workspace that is reused from call to call; only the results leave it, as
     * {@link #logits} says.
     */
    public Result lossAndGradient(INDArray x, INDArray labels) {
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            Result r = lossAndGradientUnscoped(x, labels);
            return new Result(Workspaces.leverage(r.loss()), Workspaces.leverage(r.gradient()),
                    Workspaces.leverage(r.probabilities()));
        }
    }

    private Result lossAndGradientUnscoped(INDArray x, INDArray labels) {
        INDArray[] values = forwardAll(x);
        INDArray logits = values[values.length - 1];
        if (softmaxCrossEntropy) {
            // the common head in a handful of operations: p = softmax(z), gradient p - y, loss
            // -sum(y log p) with p clipped as DL4J's MCXENT clips it
            INDArray p = activate(logits);
            INDArray grad = p.sub(labels);
            INDArray logP = Transforms.log(Transforms.min(Transforms.max(p, SOFTMAX_CLIP, true), 1 - SOFTMAX_CLIP,
                    false), false);
            INDArray perExample = logP.muli(labels).sum(1).negi();
            return new Result(perExample, backward(values, grad).reshape(x.shape()), p);
        }
        INDArray perExample = loss.computeScoreArray(labels, logits.dup(), outputActivation, null);
        INDArray grad = loss.computeGradient(labels, logits.dup(), outputActivation, null);
        return new Result(perExample.reshape(perExample.length()), backward(values, grad).reshape(x.shape()),
                activate(logits));
    }

    /**
     * An objective of the logits: its value, its input gradient and the logits, in one pass
     * (in the same workspace as {@link #lossAndGradient}).
     */
    public Result logitGradient(INDArray x, LogitObjective objective) {
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            Result r = logitGradientUnscoped(x, objective);
            return new Result(Workspaces.leverage(r.loss()), Workspaces.leverage(r.gradient()),
                    Workspaces.leverage(r.probabilities()));
        }
    }

    private Result logitGradientUnscoped(INDArray x, LogitObjective objective) {
        INDArray[] values = forwardAll(x);
        INDArray logits = values[values.length - 1];
        LogitObjective.Value v = objective.evaluate(logits);
        if (v == null || v.gradient() == null || !java.util.Arrays.equals(v.gradient().shape(), logits.shape())) {
            throw new IllegalArgumentException("the objective's gradient must have the logits' shape "
                    + java.util.Arrays.toString(logits.shape()));
        }
        INDArray grad = v.gradient().castTo(logits.dataType());
        return new Result(v.value().reshape(v.value().length()), backward(values, grad).reshape(x.shape()),
                logits.dup());
    }

    /**
     * The L2 norm of each example's gradient of the loss with respect to every parameter, from one
     * forward and one backward pass over the batch.
     *
     * @throws UnsupportedOperationException naming the first stage whose per-example gradients
     *     cannot be computed exactly
     */
    public dev.rampart.core.model.PerExampleGradients.GradientNorms parameterGradientNorms(INDArray x, INDArray labels) {
        checkPerExample();
        double[] norms = new double[(int) x.size(0)];
        INDArray probabilities;
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            INDArray[] values = forwardAll(x);
            INDArray p = activate(values[values.length - 1]);
            INDArray grad = lossGradient(p, values[values.length - 1], labels);
            backward(values, grad, (i, gradOut) -> nodes.get(i).stage().addParameterGradientNorms(
                    gather(values, nodes.get(i).inputs()), gradOut, norms), false);
            probabilities = Workspaces.leverage(p);
        }
        for (int i = 0; i < norms.length; i++) {
            norms[i] = Math.sqrt(norms[i]);
        }
        return new dev.rampart.core.model.PerExampleGradients.GradientNorms(norms, probabilities);
    }

    /**
     * DP-SGD's clipped sum from one forward and one backward pass: each example's gradient norm
     * {@code |g_i|} over every parameter, its factor {@code c_i = min(1, clipNorm / |g_i|)}, and
     * per stage with parameters the sum {@code sum_i c_i g_i} ({@link Stage#parameterArrays()}
     * order; {@code null} for stages without parameters).
     *
     * @throws UnsupportedOperationException naming the first stage whose per-example gradients
     *     cannot be computed exactly or that does not keep them
     */
    public Clipped clippedGradients(INDArray x, INDArray labels, double clipNorm) {
        checkPerExample();
        int n = (int) x.size(0);
        double[] norms = new double[n];
        double[] factors = new double[n];
        INDArray[][] sums = new INDArray[nodes.size()][];
        INDArray probabilities;
        try (MemoryWorkspace ws = Workspaces.scope(Workspaces.PASS)) {
            INDArray[] values = forwardAll(x);
            INDArray p = activate(values[values.length - 1]);
            INDArray grad = lossGradient(p, values[values.length - 1], labels);
            Stage.PerExample[] kept = new Stage.PerExample[nodes.size()];
            backward(values, grad, (i, gradOut) -> {
                Stage stage = nodes.get(i).stage();
                if (stage.hasParameters()) {
                    kept[i] = stage.perExample(gather(values, nodes.get(i).inputs()), gradOut);
                    if (kept[i] == null) {
                        throw new UnsupportedOperationException("stage " + stage.describe() + " does not keep its"
                                + " per-example gradients");
                    }
                }
            }, false);
            for (Stage.PerExample k : kept) {
                if (k != null) {
                    double[] sq = k.squaredNorms();
                    for (int i = 0; i < n; i++) {
                        norms[i] += sq[i];
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                norms[i] = Math.sqrt(norms[i]);
                factors[i] = Math.min(1, clipNorm / Math.max(norms[i], 1e-12));
            }
            INDArray w = Nd4j.createFromArray(factors).castTo(x.dataType()).reshape(n, 1);
            for (int i = 0; i < kept.length; i++) {
                if (kept[i] != null) {
                    INDArray[] g = kept[i].weightedSum(w);
                    for (int k = 0; k < g.length; k++) {
                        g[k] = Workspaces.leverage(g[k]);
                    }
                    sums[i] = g;
                }
            }
            probabilities = Workspaces.leverage(p);
        }
        return new Clipped(norms, factors, sums, probabilities);
    }

    /** Refuses, naming it, the first stage whose per-example gradients cannot be computed exactly. */
    private void checkPerExample() {
        for (Node node : nodes) {
            String problem = node.stage().perExampleProblem();
            if (problem != null) {
                throw new UnsupportedOperationException("per-example gradients are not available for " + problem);
            }
        }
    }

    /** The loss gradient at the logits, per example, given the probabilities {@code p} of {@code logits}. */
    private INDArray lossGradient(INDArray p, INDArray logits, INDArray labels) {
        return softmaxCrossEntropy ? p.sub(labels) : loss.computeGradient(labels, logits.dup(), outputActivation, null);
    }

    /**
     * What {@link #clippedGradients} computed.
     *
     * @param norms each example's gradient norm
     * @param factors each example's clipping factor
     * @param sums per node, the clipped sum of its parameters' gradients, or {@code null}
     * @param probabilities the class probabilities of the pass
     */
    public record Clipped(double[] norms, double[] factors, INDArray[][] sums, INDArray probabilities) {
    }

    /** The stages, in execution order (their parameter arrays locate {@link Clipped#sums()}). */
    public List<Stage> stages() {
        List<Stage> out = new ArrayList<>();
        for (Node node : nodes) {
            out.add(node.stage());
        }
        return out;
    }

    /** What {@link #backward(INDArray[], INDArray, GradientVisitor)} shows of each node. */
    interface GradientVisitor {
        /** Node {@code node}'s output gradient, before it is propagated to the node's inputs. */
        void visit(int node, INDArray gradOut);
    }

    /** Back-propagates {@code grad}, the gradient at the logits, to the input. */
    private INDArray backward(INDArray[] values, INDArray grad) {
        return backward(values, grad, null, true);
    }

    /**
     * Back-propagates {@code grad} to the input, showing {@code visitor} every node's output
     * gradient; without {@code inputGradient}, nodes that read only the network's input are not
     * back-propagated through (their visit is all that is needed) and {@code null} is returned.
     */
    private INDArray backward(INDArray[] values, INDArray grad, GradientVisitor visitor, boolean inputGradient) {
        INDArray[] grads = new INDArray[values.length];
        grads[values.length - 1] = grad;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            INDArray g = grads[i + 1];
            if (g == null) {
                continue; // this node does not reach the output
            }
            Node node = nodes.get(i);
            if (visitor != null) {
                visitor.visit(i, g);
            }
            if (!inputGradient && java.util.Arrays.stream(node.inputs()).noneMatch(k -> parametersUpstream[k])) {
                grads[i + 1] = null; // nothing before this node has parameters: its input gradient is unused
                continue;
            }
            INDArray[] in = gather(values, node.inputs());
            INDArray[] back = node.stage().backward(in, values[i + 1], g);
            for (int k = 0; k < node.inputs().length; k++) {
                int src = node.inputs()[k];
                if (back[k] != null) {
                    grads[src] = grads[src] == null ? back[k] : grads[src].add(back[k]);
                }
            }
            grads[i + 1] = null; // free early
        }
        return grads[0];
    }

    /** Whether the head is a softmax with unweighted multi-class cross-entropy (gradient {@code p - t}). */
    public boolean softmaxCrossEntropy() {
        return outputActivation instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax
                && loss instanceof org.nd4j.linalg.lossfunctions.impl.LossMCXENT mc && mc.getWeights() == null;
    }

    /** Descriptions of the stages, for logs and messages. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            out.add(n.stage().describe());
        }
        return out;
    }

    private static INDArray[] gather(INDArray[] values, int[] idx) {
        INDArray[] in = new INDArray[idx.length];
        for (int k = 0; k < idx.length; k++) {
            in[k] = values[idx[k]];
        }
        return in;
    }

    /** Per-example loss or objective, input gradient, and probabilities or logits. */
    public record Result(INDArray loss, INDArray gradient, INDArray probabilities) {
    }
}
