package dev.rampart.core.model.zoo;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Labels;
import dev.rampart.core.random.Seeds;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

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
        int n = data.size();
        int[] labels = data.labels();
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = permutation(n, Seeds.random(Seeds.derive(seed, epoch)));
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                INDArray x = Rows.gather(data.features(), idx);
                int[] y = new int[idx.length];
                for (int k = 0; k < idx.length; k++) {
                    y[k] = labels[idx[k]];
                }
                net.fit(new DataSet(x, Labels.oneHot(y, data.numClasses())));
            }
            onEpoch.accept(epoch);
        }
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
