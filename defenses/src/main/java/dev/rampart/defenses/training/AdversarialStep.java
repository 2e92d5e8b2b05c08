package dev.rampart.defenses.training;

import dev.rampart.core.model.GradientClassifier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * How one adversarial training method turns a clean minibatch into the batch the model trains on,
 * against the model as it is now. The trainer ({@link AdversarialTraining}) and the iterator
 * wrapper for users' own loops ({@link AdversarialIterator}) both apply it.
 *
 * <pre>{@code
 * AdversarialStep pgd = new PgdStep(Norm.LINF, 7, 1.0);
 * DataSet batch = pgd.craft(model, x, oneHot, 0.1, seed);   // adversarial rows, same labels
 * }</pre>
 */
public interface AdversarialStep {

    /**
     * The batch to train on.
     *
     * @param model the model being trained, for gradients
     * @param x clean inputs of the model's input shape
     * @param oneHot their one-hot labels
     * @param epsilon the budget for this batch ({@code 0}: the clean batch)
     * @param seed fixes every random choice of this batch
     * @return features and labels; never {@code x} itself modified
     */
    DataSet craft(GradientClassifier model, INDArray x, INDArray oneHot, double epsilon, long seed);

    /** A short name for reports, such as {@code PGD-7}. */
    String name();
}
