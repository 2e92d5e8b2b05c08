package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.check.Check;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.Inputs;
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
        return detect(data, Representations.of(model, layer, Inputs.checkData(model, data, "data")));
    }

    /**
     * {@link #detect(LabeledData)} with {@link #layer()}'s activations already computed.
     *
     * @param representations {@code [n, d]}, row {@code i} the activations of example {@code i}
     * @throws IllegalArgumentException if the rows do not match the data
     */
    public final PoisonReport detect(LabeledData data, INDArray representations) {
        return analyse(data, checked(data, representations));
    }

    /**
     * The representations as dense doubles, once they are checked against the data and the model.
     *
     * @throws IllegalArgumentException if the rows do not match the data, or the classes the model
     */
    protected final INDArray checked(LabeledData data, INDArray representations) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (data.numClasses() != model.numClasses()) {
            throw new IllegalArgumentException("data (" + data.name() + ") has " + data.numClasses()
                    + " classes but the model has " + model.numClasses());
        }
        if (representations == null || representations.rank() != 2 || representations.size(0) != data.size()
                || representations.size(1) == 0) {
            throw new IllegalArgumentException("representations must be [" + data.size() + ", d] (one row per example"
                    + " of the data), found " + (representations == null ? "null"
                            : Arrays.toString(representations.shape())));
        }
        Check.finite(representations, "representations");
        return Inputs.dense(representations.castTo(DataType.DOUBLE));
    }

    /** The detector's work on checked representations {@code r} ({@code [n, d]} doubles). */
    protected abstract PoisonReport analyse(LabeledData data, INDArray r);
}
