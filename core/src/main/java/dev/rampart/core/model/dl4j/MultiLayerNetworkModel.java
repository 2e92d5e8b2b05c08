package dev.rampart.core.model.dl4j;

import dev.rampart.core.model.InputDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Adapter for a DL4J {@link MultiLayerNetwork}.
 *
 * <p>Gradients are exact inference-mode gradients ({@code output(x, false)}): the network is
 * compiled once into a program of libnd4j ops that applies batch normalization with its running
 * statistics, skips dropout, and back-propagates to the input only. DL4J's
 * {@code calculateGradients}, which runs in training mode, is never used; the network's
 * parameters and statistics are never written except by {@link #fit}. Layers the compiler does
 * not know are refused at construction with an {@link UnsupportedLayerException}.
 *
 * <p>Not thread-safe: give each thread its own {@link #copy()}.
 *
 * <pre>{@code
 * MultiLayerNetwork net = MultiLayerNetwork.load(file, false);
 * MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
 * INDArray grad = model.lossGradient(x, Labels.oneHot(y, model.numClasses()));
 * }</pre>
 */
public final class MultiLayerNetworkModel extends Dl4jModel implements dev.rampart.core.model.ActivationGradientModel {

    private final MultiLayerNetwork net;

    private MultiLayerNetworkModel(MultiLayerNetwork net, long[] inputShape, InputDomain domain) {
        super(inputShape, domain, numClassesOf(net), net.getLayerWiseConfigurations().getDataType(),
                Dl4jCompiler.compile(net));
        this.net = net;
    }

    /**
     * Wraps an initialized network. The network is used, not copied: training it elsewhere is
     * seen by this adapter.
     *
     * @param inputShape shape of one example, without the batch dimension
     * @param domain the valid range of input values
     * @throws UnsupportedLayerException if a layer's inference-mode gradient is not supported
     * @throws IllegalArgumentException if the network cannot take examples of {@code inputShape}
     */
    public static MultiLayerNetworkModel of(MultiLayerNetwork net, long[] inputShape, InputDomain domain) {
        if (net == null) {
            throw new IllegalArgumentException("net must not be null");
        }
        if (net.params() == null) {
            throw new IllegalArgumentException("net must be initialized (call net.init())");
        }
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, inputShape, domain);
        model.checkInputShape();
        return model;
    }

    @Override
    java.util.Map<String, LayerInput> layerInputs(org.deeplearning4j.nn.conf.inputs.InputType input) {
        org.deeplearning4j.nn.conf.MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        List<org.deeplearning4j.nn.conf.inputs.InputType> outputs = conf.getLayerActivationTypes(input);
        java.util.Map<String, LayerInput> in = new java.util.LinkedHashMap<>();
        List<String> names = layerNames();
        for (int i = 0; i < names.size(); i++) {
            org.deeplearning4j.nn.conf.inputs.InputType t = i == 0 ? input : outputs.get(i - 1);
            org.deeplearning4j.nn.conf.InputPreProcessor pre = conf.getInputPreProcess(i);
            // the sizes as built, not the copy's that the propagation set
            in.put(names.get(i), new LayerInput(net.getLayerWiseConfigurations().getConf(i).getLayer(),
                    pre == null ? t : pre.getOutputType(t)));
        }
        return in;
    }

    private static int numClassesOf(MultiLayerNetwork net) {
        if (net.getnLayers() == 0 || !(net.getOutputLayer() instanceof IOutputLayer)) {
            throw new UnsupportedLayerException("The network's last layer must be an OutputLayer or LossLayer");
        }
        long n = net.layerSize(net.getnLayers() - 1);
        if (n <= 0) {
            throw new UnsupportedLayerException("Cannot tell the number of classes from the last layer");
        }
        return (int) n;
    }

    /** The wrapped network. */
    public MultiLayerNetwork network() {
        return net;
    }

    @Override
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            String n = net.getLayer(i).conf().getLayer().getLayerName();
            names.add(n == null ? String.valueOf(i) : n);
        }
        return Collections.unmodifiableList(names);
    }

    @Override
    public INDArray activations(INDArray x, String layer) {
        INDArray in = checkedInput(x);
        int idx = layerIndex(layer);
        INDArray compiled = compiledActivations(in, layer);
        return compiled != null ? compiled : net.feedForwardToLayer(idx, in, false).get(idx + 1).dup();
    }

    private final java.util.Map<Integer, MultiLayerNetworkModel> heads = new java.util.concurrent.ConcurrentHashMap<>();

    /** The hidden layers whose outputs are {@code [n, d]} (dense layers and their kin). */
    @Override
    public List<String> activationGradientLayers() {
        org.deeplearning4j.nn.conf.inputs.InputType in = org.deeplearning4j.nn.conf.inputs.InputType.inferInputType(
                org.nd4j.linalg.factory.Nd4j.zeros(net.params().dataType(), prepend(1, inputShape())));
        List<org.deeplearning4j.nn.conf.inputs.InputType> types = net.getLayerWiseConfigurations()
                .getLayerActivationTypes(in);
        List<String> names = layerNames();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size() - 1; i++) {
            if (types.get(i) instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward) {
                out.add(names.get(i));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Through a copy of the network cut after {@code layer} and closed by an identity output layer
     * (weights the identity matrix), so that the layer's activations are that copy's logits; the
     * copy takes this network's current parameters on every call.
     */
    @Override
    public dev.rampart.core.loss.LogitGradient activationGradient(INDArray x, String layer,
            dev.rampart.core.loss.LogitObjective objective) {
        int idx = layerIndex(layer);
        MultiLayerNetworkModel head;
        try (org.nd4j.linalg.api.memory.MemoryWorkspace outside = dev.rampart.core.memory.Workspaces.outside()) {
            head = heads.computeIfAbsent(idx, this::head); // built once, outside any caller's workspace
        }
        for (int i = 0; i <= idx; i++) {
            head.net.getLayer(i).setParams(net.getLayer(i).params());
        }
        return head.logitGradient(x, objective);
    }

    private MultiLayerNetworkModel head(int idx) {
        org.deeplearning4j.nn.conf.MultiLayerConfiguration full = net.getLayerWiseConfigurations();
        org.deeplearning4j.nn.conf.inputs.InputType in = org.deeplearning4j.nn.conf.inputs.InputType.inferInputType(
                org.nd4j.linalg.factory.Nd4j.zeros(net.params().dataType(), prepend(1, inputShape())));
        java.util.List<org.deeplearning4j.nn.conf.inputs.InputType> types = full.getLayerActivationTypes(in);
        org.deeplearning4j.nn.conf.inputs.InputType out = types.get(idx);
        if (!(out instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward ff)) {
            throw new UnsupportedOperationException("activation gradients need a layer with [n, d] outputs; layer '"
                    + layerNames().get(idx) + "' outputs " + out);
        }
        long d = ff.getSize();
        org.deeplearning4j.nn.conf.MultiLayerConfiguration c = full.clone();
        java.util.List<org.deeplearning4j.nn.conf.NeuralNetConfiguration> confs = new ArrayList<>(
                c.getConfs().subList(0, idx + 1));
        org.deeplearning4j.nn.conf.NeuralNetConfiguration identity = confs.get(idx).clone();
        identity.setLayer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE).nIn(d).nOut(d)
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                .weightInit(org.deeplearning4j.nn.weights.WeightInit.ZERO).biasInit(0)
                .updater(new org.nd4j.linalg.learning.config.NoOp()).build());
        confs.add(identity);
        c.setConfs(confs);
        c.getInputPreProcessors().keySet().removeIf(k -> k > idx);
        MultiLayerNetwork h = new MultiLayerNetwork(c);
        h.init();
        h.getLayer(idx + 1).setParam("W", org.nd4j.linalg.factory.Nd4j.eye(d).castTo(net.params().dataType()));
        h.getLayer(idx + 1).setParam("b", org.nd4j.linalg.factory.Nd4j.zeros(net.params().dataType(), 1, d));
        return new MultiLayerNetworkModel(h, inputShape(), domain());
    }

    private static long[] prepend(long first, long[] rest) {
        long[] out = new long[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    @Override
    public void fit(INDArray x, INDArray oneHotLabels) {
        net.fit(checkedBatch(x, oneHotLabels));
    }

    @Override
    public INDArray parameters() {
        return net.params();
    }

    @Override
    String dropoutLayer() {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i).conf().getLayer().getIDropout() != null) {
                return layerNames().get(i);
            }
        }
        return null;
    }

    @Override
    INDArray summedGradient(DataSet batch) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        INDArray g = net.getGradientsViewArray().dup();
        // MultiLayerNetwork.clear() also drops the solver and with it the updater's state (Adam's
        // moments, momentum): keep the updater, or every applyGradient would start from zero state
        org.deeplearning4j.nn.api.Updater updater = net.getUpdater(false);
        net.clear();
        if (updater != null) {
            net.setUpdater(updater);
        }
        return g;
    }

    @Override
    void update(INDArray gradient, int batchSize) {
        if (net.gradient() == null) {
            throw new IllegalStateException("take parameterGradient once before applyGradient, so that the network"
                    + " has its gradient structure");
        }
        net.getGradientsViewArray().assign(gradient);
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();
        ((org.deeplearning4j.nn.updater.BaseMultiLayerUpdater<?>) net.getUpdater()).update(net.gradient(), iteration,
                epoch, batchSize, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(net.getGradientsViewArray().reshape(net.params().shape()));
        net.setIterationCount(iteration + 1);
        for (org.deeplearning4j.optimize.api.TrainingListener l : net.getListeners() == null ? java.util.List.<org.deeplearning4j.optimize.api.TrainingListener>of() : net.getListeners()) {
            l.iterationDone(net, iteration, epoch);
        }
    }

    @Override
    public MultiLayerNetworkModel copy() {
        return new MultiLayerNetworkModel(net.clone(), inputShape(), domain());
    }
}
