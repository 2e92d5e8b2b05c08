package dev.rampart.defenses.federated;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.TrainableModel;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What a federated client does with the global model it receives: trains a copy on its own data,
 * in place. The update it sends is the difference of the parameters before and after.
 *
 * <pre>{@code
 * LocalTraining local = LocalTraining.epochs(1, 32);   // one shuffled pass in batches of 32
 * }</pre>
 *
 * <p>It is serializable, so that Spark can ship it to the executors with the clients' jobs: a
 * lambda must capture only serializable values.
 */
@FunctionalInterface
public interface LocalTraining extends java.io.Serializable {

    /** Trains {@code model} (the client's copy of the global model) on {@code data}; {@code seed} fixes the order. */
    void train(TrainableModel model, LabeledData data, long seed);

    /** {@code epochs} shuffled passes over the client's data in batches of {@code batchSize}, by the model's own fit. */
    static LocalTraining epochs(int epochs, int batchSize) {
        if (epochs <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("epochs and batchSize must be positive, found " + epochs + " and "
                    + batchSize);
        }
        return (model, data, seed) -> {
            ShuffledBatches b = new ShuffledBatches(data, batchSize, seed);
            for (int e = 0; e < epochs; e++) {
                b.reset();
                while (b.hasNext()) {
                    DataSet d = b.next();
                    model.fit(d.getFeatures(), d.getLabels());
                }
            }
        };
    }
}
