package dev.rampart.attacks.evasion;

import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.LossAndGradient;
import dev.rampart.core.norm.Norm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fast Gradient Sign Method (Goodfellow, Shlens &amp; Szegedy, "Explaining and Harnessing
 * Adversarial Examples", ICLR 2015): one step of size epsilon along the steepest-ascent direction
 * of the loss, {@code x + eps * sign(grad)} for L-inf and {@code x + eps * grad / ||grad||_2} for
 * L2 (the "fast gradient method"). Targeted runs descend the loss of the target class.
 *
 * <pre>{@code
 * Fgsm fgsm = Fgsm.builder(model).norm(Norm.LINF).epsilon(0.1).build();
 * EvasionResult r = fgsm.run(x, labels);
 * }</pre>
 */
public final class Fgsm extends GradientAttack<Fgsm.Config> {

    /**
     * FGSM's configuration.
     *
     * @param norm the threat model's norm
     * @param epsilon the budget
     * @param batchSize examples per forward-backward pass
     */
    public record Config(Norm norm, double epsilon, int batchSize) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, false);
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, batchSize);
        }
    }


    private Fgsm(GradientClassifier model, Config config) {
        super(model, config);
    }

    /** A builder with defaults L-inf, epsilon 0.1, batch 256. */
    public static Builder builder(Classifier model) {
        return new Builder(Capabilities.gradients(model, "FGSM"));
    }

    @Override
    public String name() {
        return "FGSM";
    }


    @Override
    public Fgsm withEpsilon(double epsilon) {
        return new Fgsm(model, config().withEpsilon(epsilon));
    }

    @Override
    protected INDArray perturb(Batch batch) {
        int[] all = Rows.all(batch.size());
        LossAndGradient lg = model.lossAndGradient(batch.x(), batch.lossLabels(model, all));
        batch.countGradientCalls(batch.size());
        INDArray step = norm().steepestAscentInPlace(lg.gradient()).muli(epsilon() * batch.direction());
        return projectAndClip(batch.x(), step.addi(batch.x()));
    }

    /** Builds an {@link Fgsm}; every value is checked in {@link #build()}. */
    public static final class Builder extends GradientAttack.Builder<Builder> {

        private Builder(GradientClassifier model) {
            super(model);
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public Fgsm build() {
            return new Fgsm(model, new Config(norm, epsilon, batchSize));
        }
    }
}
