package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.Inputs;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The representations poison detectors work in: a layer's activations, flattened to {@code [n, d]}
 * doubles, computed in batches. By default the last hidden layer (the one before the output
 * layer), as in Chen et al. (2018) and Tran et al. (2018).
 *
 * <pre>{@code
 * INDArray r = Representations.of(model, Representations.lastHidden(model), train.features());
 * }</pre>
 */
public final class Representations {

    private static final int BATCH = 512;

    private Representations() {
    }

    /**
     * The name of the layer before the output layer.
     *
     * @throws IllegalArgumentException if the model has a single layer
     */
    public static String lastHidden(ActivationModel model) {
        List<String> names = model.layerNames();
        if (names.size() < 2) {
            throw new IllegalArgumentException("the model has no hidden layer: " + names);
        }
        return names.get(names.size() - 2);
    }

    /**
     * {@code layer}, or the last hidden layer if it is {@code null}.
     *
     * @throws IllegalArgumentException if the model has no such layer
     */
    static String resolve(ActivationModel model, String layer) {
        String l = layer == null ? lastHidden(model) : layer;
        if (!model.layerNames().contains(l)) {
            throw new IllegalArgumentException("layer '" + l + "' is not one of " + model.layerNames());
        }
        return l;
    }

    /** {@code layer}'s activations of every example of {@code x}, as {@code [n, d]} doubles. */
    public static INDArray of(ActivationModel model, String layer, INDArray x) {
        resolve(model, layer);
        x = Inputs.asType(model, x, "x");
        long n = x.size(0);
        INDArray out = null;
        for (long from = 0; from < n; from += BATCH) {
            long to = Math.min(n, from + BATCH);
            INDArray a = model.activations(x.get(NDArrayIndex.interval(from, to)), layer);
            a = a.reshape(to - from, a.length() / (to - from)).castTo(DataType.DOUBLE);
            if (out == null) {
                out = Nd4j.create(DataType.DOUBLE, n, a.size(1));
            }
            out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(a);
        }
        Check.finite(out, "activations of layer '" + layer + "'");
        return out;
    }
}
