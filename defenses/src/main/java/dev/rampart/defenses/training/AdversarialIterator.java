package dev.rampart.defenses.training;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.random.Seeds;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
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
public final class AdversarialIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private final transient GradientClassifier model;
    private final transient AdversarialStep step;
    private final double epsilon;
    private final long seed;
    private final DataSetIterator source;
    private long batches;

    private AdversarialIterator(GradientClassifier model, AdversarialStep step, double epsilon, long seed,
            DataSetIterator source) {
        this.model = model;
        this.step = step;
        this.epsilon = epsilon;
        this.seed = seed;
        this.source = source;
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
    public DataSet next() {
        return craft(source.next());
    }

    @Override
    public DataSet next(int num) {
        return craft(source.next(num));
    }

    private DataSet craft(DataSet clean) {
        return step.craft(model, clean.getFeatures(), clean.getLabels(), epsilon, Seeds.derive(seed, batches++));
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public int inputColumns() {
        return source.inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return source.totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return source.resetSupported();
    }

    /** Always false: batches must be crafted against the current weights, on the training thread. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        source.reset();
    }

    @Override
    public int batch() {
        return source.batch();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        source.setPreProcessor(preProcessor);
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return source.getPreProcessor();
    }

    @Override
    public List<String> getLabels() {
        return source.getLabels();
    }

    @Override
    public void remove() {
        throw new UnsupportedOperationException("remove");
    }
}
