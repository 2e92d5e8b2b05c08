package dev.rampart.core.model.dl4j;

import dev.rampart.core.model.InputDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Adapter for a DL4J {@link ComputationGraph} with one input and one output layer.
 *
 * <p>DL4J 1.0.0-M2.1 has no {@code calculateGradients} on graphs; Rampart compiles the graph
 * (layers, merge, element-wise and preprocessor vertices) into the same inference-mode gradient
 * program as {@link MultiLayerNetworkModel}, with exact gradients of {@code output(false, x)}.
 *
 * <p>Not thread-safe: give each thread its own {@link #copy()}.
 *
 * <pre>{@code
 * ComputationGraph graph = ComputationGraph.load(file, false);
 * ComputationGraphModel model = ComputationGraphModel.of(graph, new long[] {1, 28, 28}, InputDomain.UNIT);
 * }</pre>
 */
public final class ComputationGraphModel extends Dl4jModel {

    private final ComputationGraph graph;

    private ComputationGraphModel(ComputationGraph graph, long[] inputShape, InputDomain domain) {
        super(inputShape, domain, numClassesOf(graph), graph.getConfiguration().getDataType(),
                Dl4jCompiler.compile(graph));
        this.graph = graph;
    }

    /**
     * Wraps an initialized graph (used, not copied).
     *
     * @throws UnsupportedLayerException if a vertex's inference-mode gradient is not supported
     * @throws IllegalArgumentException if the graph cannot take examples of {@code inputShape}
     */
    public static ComputationGraphModel of(ComputationGraph graph, long[] inputShape, InputDomain domain) {
        if (graph == null) {
            throw new IllegalArgumentException("graph must not be null");
        }
        if (graph.params() == null) {
            throw new IllegalArgumentException("graph must be initialized (call graph.init())");
        }
        ComputationGraphModel model = new ComputationGraphModel(graph, inputShape, domain);
        model.checkInputShape();
        return model;
    }

    @Override
    java.util.Map<String, LayerInput> layerInputs(org.deeplearning4j.nn.conf.inputs.InputType input) {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        java.util.Map<String, org.deeplearning4j.nn.conf.inputs.InputType> outputs = conf.getLayerActivationTypes(
                input);
        java.util.Map<String, LayerInput> in = new java.util.LinkedHashMap<>();
        conf.getVertices().forEach((name, vertex) -> {
            List<String> from = conf.getVertexInputs().get(name);
            if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv && from != null && from.size() == 1) {
                org.deeplearning4j.nn.conf.inputs.InputType t = conf.getNetworkInputs().contains(from.get(0)) ? input
                        : outputs.get(from.get(0));
                if (t != null) {
                    // the sizes as built, not the copy's that the propagation set
                    in.put(name, new LayerInput(((org.deeplearning4j.nn.conf.graph.LayerVertex) graph
                            .getConfiguration().getVertices().get(name)).getLayerConf().getLayer(),
                            lv.getPreProcessor() == null ? t : lv.getPreProcessor().getOutputType(t)));
                }
            }
        });
        return in;
    }

    private static int numClassesOf(ComputationGraph graph) {
        List<String> outs = graph.getConfiguration().getNetworkOutputs();
        if (outs.size() != 1) {
            throw new UnsupportedLayerException("Only graphs with one output are supported, found " + outs);
        }
        return (int) graph.layerSize(outs.get(0));
    }

    /** The wrapped graph. */
    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (int idx : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[idx];
            if (!v.isInputVertex()) {
                names.add(v.getVertexName());
            }
        }
        return Collections.unmodifiableList(names);
    }

    @Override
    public INDArray activations(INDArray x, String layer) {
        INDArray in = checkedInput(x);
        layerIndex(layer);
        INDArray compiled = compiledActivations(in, layer);
        return compiled != null ? compiled : graph.feedForward(in, false).get(layer).dup();
    }

    @Override
    public void fit(INDArray x, INDArray oneHotLabels) {
        graph.fit(checkedBatch(x, oneHotLabels));
    }

    @Override
    public INDArray parameters() {
        return graph.params();
    }

    @Override
    String dropoutLayer() {
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            if (l.conf().getLayer().getIDropout() != null) {
                return l.conf().getLayer().getLayerName();
            }
        }
        return null;
    }

    @Override
    INDArray summedGradient(DataSet batch) {
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.computeGradientAndScore();
        INDArray g = graph.getGradientsViewArray().dup();
        graph.clear();
        return g;
    }

    @Override
    void update(INDArray gradient, int batchSize) {
        if (graph.gradient() == null) {
            throw new IllegalStateException("take parameterGradient once before applyGradient, so that the network"
                    + " has its gradient structure");
        }
        graph.getGradientsViewArray().assign(gradient);
        int iteration = graph.getIterationCount();
        int epoch = graph.getEpochCount();
        graph.getUpdater().update(graph.gradient(), iteration, epoch, batchSize,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        graph.params().subi(graph.getGradientsViewArray().reshape(graph.params().shape()));
        graph.getConfiguration().setIterationCount(iteration + 1);
        for (org.deeplearning4j.optimize.api.TrainingListener l : graph.getListeners() == null ? java.util.List.<org.deeplearning4j.optimize.api.TrainingListener>of() : graph.getListeners()) {
            l.iterationDone(graph, iteration, epoch);
        }
    }

    @Override
    public ComputationGraphModel copy() {
        return new ComputationGraphModel(graph.clone(), inputShape(), domain());
    }
}
