package dev.rampart.core.model.zoo;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Standard (non-adversarial) training of the reference models: minibatch Adam over shuffled data,
 * with the shuffle fixed by the seed. DL4J's CPU kernels reduce in a fixed order for a fixed
 * thread count, so one seed and one thread count give one model.
 *
 * <pre>{@code
 * MultiLayerNetwork net = ReferenceModels.cnn(42);
 * ReferenceTraining.train(net, FashionMnist.bundledTrain(), 3, 64, 42, epoch -> {});
 * }</pre>
 */
public final class ReferenceTraining {

    private ReferenceTraining() {
    }

    /**
     * Trains {@code net} in place.
     *
     * @param onEpoch called after each epoch with its index
     * @throws IllegalArgumentException if epochs or batch size is not positive
     */
    public static void train(MultiLayerNetwork net, LabeledData data, int epochs, int batchSize, long seed,
            IntConsumer onEpoch) {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, found " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        ShuffledBatches batches = new ShuffledBatches(data, batchSize, seed);
        for (int epoch = 0; epoch < epochs; epoch++) {
            batches.reset();
            while (batches.hasNext()) {
                net.fit(batches.next());
            }
            onEpoch.accept(epoch);
        }
    }
}
