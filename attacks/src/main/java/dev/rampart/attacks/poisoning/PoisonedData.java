package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A training set after a poisoning attack: the data (arrays), which examples the attack changed,
 * and the attack's description. The clean data it came from is not modified.
 *
 * <pre>{@code
 * PoisonedData p = BadNets.allToOne(Trigger.square(3, 1.0), 0, 0.05, 42).poison(train);
 * net.fit(p.iterator(128, 7), 5);
 * boolean[] truth = p.poisonedMask();   // to score a detector
 * }</pre>
 *
 * @param data the poisoned training set
 * @param poisoned indices of the examples the attack changed (ascending)
 * @param attack what was done
 */
public record PoisonedData(LabeledData data, int[] poisoned, String attack) {

    public PoisonedData {
        poisoned = poisoned.clone();
        java.util.Arrays.sort(poisoned);
    }

    @Override
    public int[] poisoned() {
        return poisoned.clone();
    }

    /** Per example, whether the attack changed it. */
    public boolean[] poisonedMask() {
        boolean[] m = new boolean[data.size()];
        for (int i : poisoned) {
            m[i] = true;
        }
        return m;
    }

    /** The share of the data that is poisoned. */
    public double poisonRate() {
        return (double) poisoned.length / data.size();
    }

    /** The data as DL4J minibatches, reshuffled every pass from {@code seed}. */
    public DataSetIterator iterator(int batchSize, long seed) {
        return new ShuffledBatches(data, batchSize, seed);
    }
}
