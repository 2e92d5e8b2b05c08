package dev.rampart.defenses.training;

import dev.rampart.core.data.ForwardingIterator;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.random.Seeds;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Adversarial training inside a user's own DL4J loop: wraps a {@link DataSetIterator} so that
 * every batch it returns has been passed through an {@link AdversarialStep} against the model as
 * it is at that moment. {@code net.fit(iterator)}, DL4J's {@code EarlyStoppingTrainer} and the
 * network's listeners work unchanged; the model adapter reads the network's live parameters, so
 * each batch is crafted against the weights the previous batch left.
 *
 * <p>Batches are crafted on the calling thread, never ahead of time: {@link #asyncSupported()} is
 * false, so DL4J does not prefetch them on another thread against older weights. Each batch's seed
 * is derived from the seed and the number of batches returned since the iterator was made, so a
 * run is reproducible.
 *
 * <pre>{@code
 * MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
 * DataSetIterator train = AdversarialIterator.of(model, PgdStep.pgd(Norm.LINF, 7, 1.0), 0.1, 42, myIterator);
 * net.fit(train, 10);                    // or EarlyStoppingTrainer, with listeners as usual
 * }</pre>
 */
public final class AdversarialIterator extends ForwardingIterator {

    private static final long serialVersionUID = 1L;

    private final transient GradientClassifier model;
    private final transient AdversarialStep step;
    private final double epsilon;
    private final long seed;
    private long batches;

    private AdversarialIterator(GradientClassifier model, AdversarialStep step, double epsilon, long seed,
            DataSetIterator source) {
        super(source);
        this.model = model;
        this.step = step;
        this.epsilon = epsilon;
        this.seed = seed;
    }

    /**
     * @param model the model being trained (an adapter of the network that {@code fit}s)
     * @param step how each batch becomes adversarial
     * @param epsilon the budget
     * @param seed fixes every random choice
     * @param source the clean batches
     * @throws IllegalArgumentException naming the first invalid argument
     */
    public static AdversarialIterator of(GradientClassifier model, AdversarialStep step, double epsilon, long seed,
            DataSetIterator source) {
        if (model == null || step == null || source == null) {
            throw new IllegalArgumentException("model, step and source must not be null");
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be positive and finite, found " + epsilon);
        }
        if (step instanceof TradesStep) {
            TradesStep.checkHead(model);
        }
        return new AdversarialIterator(model, step, epsilon, seed, source);
    }

    @Override
    protected DataSet transform(DataSet clean) {
        return step.craft(model, clean.getFeatures(), clean.getLabels(), epsilon, Seeds.derive(seed, batches++));
    }
}
