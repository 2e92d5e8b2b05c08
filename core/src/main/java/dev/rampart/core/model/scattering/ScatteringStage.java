package dev.rampart.core.model.scattering;

import dev.rampart.core.model.program.Stage;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link ScatteringLayer} as a stage of Rampart's inference programs and of its DL4J layer: the
 * layer's SameDiff graph run on its own, with the input gradient taken as the gradient of
 * {@code sum(output * gradOut)}. (DL4J's generic back-propagation through SameDiff layers returns
 * twice the input gradient for this graph in 1.0.0-M2.1, so it is never used.) One graph per data
 * type; calls are serialized.
 */
final class ScatteringStage extends Stage.Unary {

    private static final String IN = "in";
    private static final String GRAD_OUT = "gradOut";
    /**
     * Examples per call of the graph: the depthwise convolutions unfold their input (about 11 MB
     * an example for 28 x 28 images at J = 2, L = 8), so large batches are cut.
     */
    private static final long CHUNK = 32;

    private final ScatteringLayer layer;
    private final long[] exampleShape;
    private SameDiff sd;
    private DataType type;
    private String out;

    ScatteringStage(ScatteringLayer layer, long[] exampleShape) {
        this.layer = layer;
        this.exampleShape = exampleShape.clone();
        layer.outputShape(exampleShape);
    }

    private void build(DataType t) {
        if (sd != null && t == type) {
            return;
        }
        SameDiff g = SameDiff.create();
        SDVariable x = g.placeHolder(IN, t, -1, exampleShape[0], exampleShape[1], exampleShape[2]);
        SDVariable y = layer.defineLayer(g, x);
        long[] o = layer.outputShape(exampleShape);
        SDVariable gradOut = g.placeHolder(GRAD_OUT, t, -1, o[0], o[1], o[2]);
        SDVariable total = g.sum("total", y.mul(gradOut));
        g.setLossVariables(total.name());
        dev.rampart.core.model.samediff.GradFunctions.create(g, IN);
        this.sd = g;
        this.type = t;
        this.out = y.name();
    }

    @Override
    protected synchronized INDArray forward(INDArray x) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            build(x.dataType());
            long[] o = layer.outputShape(exampleShape);
            INDArray result = Nd4j.create(x.dataType(), x.size(0), o[0], o[1], o[2]);
            for (long from = 0; from < x.size(0); from += CHUNK) {
                long to = Math.min(x.size(0), from + CHUNK);
                result.get(NDArrayIndex.interval(from, to)).assign(sd.output(Map.of(IN, rows(x, from, to)), out)
                        .get(out));
            }
            return result;
        }
    }

    @Override
    protected synchronized INDArray backward(INDArray x, INDArray output, INDArray gradOut) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            build(x.dataType());
            INDArray g = gradOut.castTo(x.dataType());
            INDArray result = Nd4j.create(x.dataType(), x.shape());
            for (long from = 0; from < x.size(0); from += CHUNK) {
                long to = Math.min(x.size(0), from + CHUNK);
                result.get(NDArrayIndex.interval(from, to)).assign(sd.calculateGradients(Map.of(IN, rows(x, from, to),
                        GRAD_OUT, rows(g, from, to)), IN).get(IN));
            }
            return result;
        }
    }

    private static INDArray rows(INDArray a, long from, long to) {
        return from == 0 && to == a.size(0) ? a : a.get(NDArrayIndex.interval(from, to)).dup();
    }

    @Override
    public String describe() {
        return "scattering J=" + layer.scales() + " L=" + layer.angles()
                + (layer.groups() > 0 ? " groups=" + layer.groups() : "");
    }
}
