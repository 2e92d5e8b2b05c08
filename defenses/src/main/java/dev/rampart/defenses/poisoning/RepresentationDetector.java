package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A poison detector that works on one layer's activations of the training set: it computes them
 * ({@link #detect(LabeledData)}), or takes them computed elsewhere, for example on a cluster
 * ({@link #detect(LabeledData, INDArray)}: the forward passes are most of the cost).
 *
 * <pre>{@code
 * RepresentationDetector d = SpectralSignatures.builder(model).expectedPoisonRate(0.1).build();
 * PoisonReport r = d.detect(train, activationsFromElsewhere);
 * }</pre>
 */
public abstract class RepresentationDetector implements PoisonDetector {

    protected final ActivationModel model;
    protected final String layer;

    protected RepresentationDetector(ActivationModel model, String layer) {
        this.model = model;
        this.layer = layer;
    }

    /** The representation layer this detector reads. */
    public String layer() {
        return layer;
    }

    @Override
    public final PoisonReport detect(LabeledData data) {
        return detect(data, Representations.of(model, layer, data.features()));
    }

    /**
     * {@link #detect(LabeledData)} with {@link #layer()}'s activations already computed.
     *
     * @param representations {@code [n, d]}, row {@code i} the activations of example {@code i}
     * @throws IllegalArgumentException if the rows do not match the data
     */
    public final PoisonReport detect(LabeledData data, INDArray representations) {
        if (data == null || representations == null || representations.rank() != 2
                || representations.size(0) != data.size()) {
            throw new IllegalArgumentException("representations must be [" + (data == null ? "n" : data.size())
                    + ", d], found " + (representations == null ? "null" : Arrays.toString(representations.shape())));
        }
        return analyse(data, representations.castTo(DataType.DOUBLE));
    }

    /** The detector's work on checked representations {@code r} ({@code [n, d]} doubles). */
    protected abstract PoisonReport analyse(LabeledData data, INDArray r);
}
