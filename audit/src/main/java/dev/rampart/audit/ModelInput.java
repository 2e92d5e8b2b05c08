package dev.rampart.audit;

import dev.rampart.core.model.Classifier;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The data as a model takes it: channels last if the input options say so, reshaped to the model's
 * input shape when only the layout differs (for example flat vectors for an MLP).
 *
 * <pre>{@code
 * INDArray x = ModelInput.of(config.input().channelsLast(), data.features(), model);
 * }</pre>
 */
public final class ModelInput {

    private ModelInput() {
    }

    /**
     * @throws IllegalArgumentException if the data's examples do not hold as many values as the
     *     model's input
     */
    public static INDArray of(boolean channelsLast, INDArray x, Classifier model) {
        INDArray in = x;
        if (channelsLast && x.rank() == 4) {
            in = x.permute(0, 2, 3, 1).dup('c');
        }
        long[] want = model.inputShape();
        long per = in.length() / in.size(0);
        long wantPer = Arrays.stream(want).reduce(1, Math::multiplyExact);
        if (!Arrays.equals(Arrays.copyOfRange(in.shape(), 1, in.rank()), want)) {
            if (per != wantPer) {
                throw new IllegalArgumentException("the data's examples have shape " + Arrays.toString(
                        Arrays.copyOfRange(in.shape(), 1, in.rank())) + " (" + per + " values) but the model takes "
                        + Arrays.toString(want) + " (" + wantPer + " values)");
            }
            long[] shape = new long[want.length + 1];
            shape[0] = in.size(0);
            System.arraycopy(want, 0, shape, 1, want.length);
            in = in.reshape('c', shape);
        }
        return in;
    }
}
