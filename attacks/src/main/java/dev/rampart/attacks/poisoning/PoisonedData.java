package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.report.Provenance;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A training set after a poisoning attack: the data, which examples the attack changed, the
 * attack's configuration (with its seed), figures the attack measured (such as feature collision's
 * mean feature distance), and provenance. The clean data it came from is not modified.
 *
 * <pre>{@code
 * PoisonedData p = BadNets.allToOne(Trigger.square(3, 1.0, 24, 24), 0, 0.05, 42).poison(train);
 * net.fit(p.iterator(128, 7), 5);
 * boolean[] truth = p.poisonedMask();   // to score a detector
 * }</pre>
 *
 * @param data the poisoned training set
 * @param poisoned indices of the examples the attack changed (ascending, distinct)
 * @param attack the attack's name
 * @param config the attack's configuration record
 * @param figures what the attack measured, by name (finite values)
 * @param provenance versions and backend
 */
public record PoisonedData(LabeledData data, int[] poisoned, String attack, PoisoningAttack.Config config,
        Map<String, Double> figures, Provenance provenance) {

    /** @throws IllegalArgumentException if an index is outside the data or repeated, or a figure is not finite */
    public PoisonedData {
        if (data == null || poisoned == null || attack == null || config == null || figures == null) {
            throw new IllegalArgumentException("data, poisoned, attack, config and figures must not be null");
        }
        poisoned = poisoned.clone();
        Arrays.sort(poisoned);
        for (int k = 0; k < poisoned.length; k++) {
            if (poisoned[k] < 0 || poisoned[k] >= data.size() || (k > 0 && poisoned[k] == poisoned[k - 1])) {
                throw new IllegalArgumentException("poisoned index " + poisoned[k] + " is outside [0, " + data.size()
                        + ") or repeated");
            }
        }
        for (Map.Entry<String, Double> f : figures.entrySet()) {
            if (f.getValue() == null || !Double.isFinite(f.getValue())) {
                throw new IllegalArgumentException("figure " + f.getKey() + " must be finite, found " + f.getValue());
            }
        }
        figures = Map.copyOf(figures);
    }

    /** The poisoned data of an attack, with no figures and the current provenance. */
    static PoisonedData of(LabeledData data, int[] poisoned, PoisoningAttack attack) {
        return new PoisonedData(data, poisoned, attack.name(), attack.config(), Map.of(), Provenance.current());
    }

    @Override
    public int[] poisoned() {
        return poisoned.clone();
    }

    /** The seed of the attack's random choices. */
    public long seed() {
        return config.seed();
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
