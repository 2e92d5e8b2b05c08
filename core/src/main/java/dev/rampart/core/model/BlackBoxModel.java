package dev.rampart.core.model;

import java.util.Arrays;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adapter around any prediction function, for query-only attacks and for models Rampart cannot
 * look inside (a remote service, a model in another framework). It has no gradient: it is not a
 * {@link GradientClassifier}, so white-box attacks refuse it when they are built.
 *
 * <p>The function must be stateless or thread-safe: {@link #copy()} returns this object.
 *
 * <pre>{@code
 * Classifier remote = new BlackBoxModel(x -> service.scores(x), 10, new long[] {1, 28, 28}, InputDomain.UNIT);
 * }</pre>
 *
 * @param predict maps a batch {@code [n, inputShape...]} to probabilities {@code [n, numClasses]}
 * @param numClasses number of classes
 * @param inputShape shape of one example
 * @param domain valid input range
 */
public record BlackBoxModel(Function<INDArray, INDArray> predict, int numClasses, long[] inputShape,
        InputDomain domain) implements Classifier {

    /**
     * @throws IllegalArgumentException if an argument is null or a size is not positive
     */
    public BlackBoxModel {
        if (predict == null || domain == null || inputShape == null) {
            throw new IllegalArgumentException("predict, inputShape and domain must not be null");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, found " + numClasses);
        }
        if (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("inputShape must have positive dimensions, found "
                    + Arrays.toString(inputShape));
        }
        inputShape = inputShape.clone();
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    /**
     * @throws IllegalArgumentException naming {@code x} if it is not a valid batch (see
     *     {@link Classifier#predictProbabilities})
     * @throws IllegalStateException if the function returns an array of the wrong shape or with
     *     values that are not finite
     */
    @Override
    public INDArray predictProbabilities(INDArray input) {
        INDArray x = Inputs.asType(this, input, "x");
        Inputs.checkFiniteInDomain(x, domain, "x");
        return query(x);
    }

    /** The same black box without the scan of input values (shapes are still checked). */
    @Override
    public Classifier unchecked() {
        BlackBoxModel self = this;
        return new Classifier() {
            @Override
            public int numClasses() {
                return numClasses;
            }

            @Override
            public long[] inputShape() {
                return inputShape.clone();
            }

            @Override
            public InputDomain domain() {
                return domain;
            }

            @Override
            public INDArray predictProbabilities(INDArray x) {
                Inputs.checkBatch(this, x, "x");
                return self.query(x);
            }

            @Override
            public Classifier copy() {
                return this;
            }
        };
    }

    private INDArray query(INDArray x) {
        INDArray p = predict.apply(x.dup());
        if (p == null || p.rank() != 2 || p.size(0) != x.size(0) || p.size(1) != numClasses) {
            throw new IllegalStateException("The prediction function returned "
                    + (p == null ? "null" : Arrays.toString(p.shape())) + " for a batch of " + x.size(0)
                    + "; expected [" + x.size(0) + ", " + numClasses + "]");
        }
        if (!Double.isFinite(p.sumNumber().doubleValue())) {
            throw new IllegalStateException("The prediction function returned non-finite values for a batch of "
                    + x.size(0));
        }
        return p;
    }

    @Override
    public BlackBoxModel copy() {
        return this;
    }
}
