package dev.rampart.attacks.extraction;

import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The attacker's model: a factory of fresh, untrained models (one per seed) and how to train them.
 * Training is the model's own step ({@link TrainableModel#fit}) over shuffled mini-batches, on
 * one-hot rows (top-1 answers) or probability rows (soft labels, for a softmax output trained
 * with cross-entropy).
 *
 * <pre>{@code
 * Substitute s = new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.mlp(seed),
 *         ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), 20, 64);
 * }</pre>
 *
 * @param factory a fresh model for a seed
 * @param epochs passes over the stolen set per training
 * @param batchSize examples per step
 */
public record Substitute(LongFunction<? extends TrainableModel> factory, int epochs, int batchSize) {

    /** @throws IllegalArgumentException naming a null factory or a value that is not positive */
    public Substitute {
        if (factory == null) {
            throw new IllegalArgumentException("factory must not be null");
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, found " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
    }

    /**
     * A fresh model for {@code seed}, checked against the victim's inputs and classes.
     *
     * @throws IllegalArgumentException if the factory returns null, or a model whose input shape or
     *     number of classes differs from the victim's
     */
    public TrainableModel create(long seed, Classifier victim) {
        TrainableModel m = factory.apply(seed);
        if (m == null) {
            throw new IllegalArgumentException("substitute factory returned null for seed " + seed);
        }
        if (!Arrays.equals(m.inputShape(), victim.inputShape()) || m.numClasses() != victim.numClasses()) {
            throw new IllegalArgumentException("substitute takes " + Arrays.toString(m.inputShape()) + " with "
                    + m.numClasses() + " classes, but the victim takes " + Arrays.toString(victim.inputShape())
                    + " with " + victim.numClasses());
        }
        return m;
    }

    /** A fresh model trained on {@code (x, targets)} for {@link #epochs()} epochs. */
    public TrainableModel train(Classifier victim, INDArray x, INDArray targets, long seed) {
        TrainableModel m = create(seed, victim);
        fit(m, x, targets, epochs, Seeds.derive(seed, 1));
        return m;
    }

    /** {@code passes} more epochs of {@code model} on {@code (x, targets)}, in a seeded order. */
    public void fit(TrainableModel model, INDArray x, INDArray targets, int passes, long seed) {
        int n = (int) x.size(0);
        SplittableRandom rnd = Seeds.random(seed);
        for (int e = 0; e < passes; e++) {
            int[] order = ShuffledBatches.permutation(n, rnd);
            for (int from = 0; from < n; from += batchSize) {
                int[] idx = Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
                model.fit(dev.rampart.core.data.Rows.gather(x, idx), dev.rampart.core.data.Rows.gather(targets, idx));
            }
        }
    }

    static INDArray head(INDArray a, long n) {
        return a.get(NDArrayIndex.interval(0, n)).dup();
    }
}
