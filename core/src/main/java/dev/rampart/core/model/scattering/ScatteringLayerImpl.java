package dev.rampart.core.model.scattering;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DL4J layer behind a {@link ScatteringLayer} configuration: its forward and backward passes
 * run the same {@link ScatteringStage} as Rampart's inference programs, in place of DL4J's generic
 * SameDiff-layer execution (which, in 1.0.0-M2.1, returns twice the input gradient for this graph
 * and prints a line per op while building it). The layer has no parameters.
 */
final class ScatteringLayerImpl extends SameDiffLayer {

    private transient ScatteringStage stage;

    ScatteringLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private ScatteringStage stage() {
        if (stage == null) {
            ScatteringLayer c = (ScatteringLayer) layerConf();
            stage = new ScatteringStage(c, c.inputShape());
        }
        return stage;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, stage().forward(new INDArray[] {input}));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray in = stage().backward(new INDArray[] {input}, null, epsilon)[0];
        return new Pair<>(new DefaultGradient(), workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, in));
    }

    @Override
    public Layer clone() {
        return new ScatteringLayerImpl(conf.clone(), dataType);
    }
}
