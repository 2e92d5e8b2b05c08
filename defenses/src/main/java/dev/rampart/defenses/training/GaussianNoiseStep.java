package dev.rampart.defenses.training;

import dev.rampart.core.data.Rows;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gaussian data augmentation, the training of a base classifier for randomized smoothing (Cohen,
 * Rosenfeld &amp; Kolter, ICML 2019, section 3.3): a seeded share of each batch gets noise
 * {@code N(0, epsilon^2)} added (epsilon is the smoothing's sigma), clipped to the model's input
 * domain as {@code RandomizedSmoothing} clips its noisy copies; labels are kept. Noise comes from
 * ND4J's generator, so the step runs where the model runs (CPU or GPU).
 *
 * <pre>{@code
 * AdversarialTraining.builder(model).method(AdversarialTraining.Method.GAUSSIAN).epsilon(0.25).epochs(10)
 *         .build().fit(train);   // a base classifier for RandomizedSmoothing with sigma 0.25
 * }</pre>
 *
 * @param adversarialFraction share of each batch that gets noise, in (0, 1]
 */
public record GaussianNoiseStep(double adversarialFraction) implements AdversarialStep {

    /** @throws IllegalArgumentException if the fraction is outside (0, 1] */
    public GaussianNoiseStep {
        if (!(adversarialFraction > 0 && adversarialFraction <= 1)) {
            throw new IllegalArgumentException("adversarialFraction must be in (0, 1], found " + adversarialFraction);
        }
    }

    @Override
    public String name() {
        return "Gaussian noise";
    }

    @Override
    public DataSet craft(GradientClassifier model, INDArray x, INDArray oneHot, double epsilon, long seed) {
        int n = (int) x.size(0);
        int count = (int) Math.round(adversarialFraction * n);
        if (epsilon <= 0 || count == 0) {
            return new DataSet(x, oneHot);
        }
        if (count == n) {
            return new DataSet(noisy(x, epsilon, seed, model.domain()), oneHot);
        }
        int[] chosen = PgdStep.choose(n, count, seed);
        INDArray out = x.dup('c');
        Rows.scatter(out, chosen, noisy(Rows.gather(x, chosen), epsilon, seed, model.domain()));
        return new DataSet(out, oneHot);
    }

    /** {@code x + N(0, sigma^2)} clipped to {@code domain}, as a new array; {@code x} is not modified. */
    static INDArray noisy(INDArray x, double sigma, long seed, InputDomain domain) {
        return domain.clipInPlace(gaussian(x.shape(), x.dataType(), sigma, seed).addi(x));
    }

    /** An array of {@code shape} drawn from {@code N(0, sigma^2)} by ND4J's generator seeded with {@code seed}. */
    static INDArray gaussian(long[] shape, org.nd4j.linalg.api.buffer.DataType type, double sigma, long seed) {
        INDArray out = Nd4j.createUninitialized(type, shape);
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        try {
            Nd4j.getExecutioner().exec(new GaussianDistribution(out, 0.0, sigma), rng);
        } finally {
            try {
                rng.close();
            } catch (Exception e) {
                throw new IllegalStateException("ND4J's random generator could not be closed", e);
            }
        }
        return out;
    }
}
