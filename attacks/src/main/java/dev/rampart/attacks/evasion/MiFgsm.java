package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.LossAndGradient;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.memory.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Momentum Iterative FGSM (Dong, Liao, Pang, Su, Zhu, Hu &amp; Li, "Boosting Adversarial Attacks
 * with Momentum", CVPR 2018): iterative FGSM whose direction is a running sum of L1-normalized
 * gradients, {@code g <- mu * g + grad / ||grad||_1}, then {@code x <- clip(x + alpha *
 * steepestAscent(g))} with {@code alpha = epsilon / steps}. The momentum steadies the direction,
 * which mostly helps transfer to other models. Deterministic: no random start.
 *
 * <pre>{@code
 * MiFgsm mi = MiFgsm.builder(model).norm(Norm.LINF).epsilon(0.1).steps(10).decay(1.0).build();
 * EvasionResult r = mi.run(x, labels);
 * }</pre>
 */
public final class MiFgsm extends GradientAttack<MiFgsm.Config> {

    /** Smallest L1 norm treated as non-zero. */
    private static final double TINY = 1e-12;

    /**
     * MI-FGSM's configuration.
     *
     * @param norm the threat model's norm
     * @param epsilon the budget
     * @param steps iterations; each moves {@code epsilon / steps}
     * @param decay the momentum factor mu (1.0 in the paper)
     * @param batchSize examples per forward-backward pass
     */
    public record Config(Norm norm, double epsilon, int steps, double decay, int batchSize) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, false);
            Check.positive("steps", steps);
            Check.finiteNotNegative("decay", decay);
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, steps, decay, batchSize);
        }
    }


    private MiFgsm(GradientClassifier model, Config config) {
        super(model, config);
    }

    /** A builder with defaults L-inf, epsilon 0.1, 10 steps, decay 1.0. */
    public static Builder builder(Classifier model) {
        return new Builder(Capabilities.gradients(model, "MI-FGSM"));
    }

    @Override
    public String name() {
        return "MI-FGSM-" + config().steps();
    }


    @Override
    public MiFgsm withEpsilon(double epsilon) {
        return new MiFgsm(model, config().withEpsilon(epsilon));
    }

    @Override
    protected INDArray perturb(Batch batch) {
        INDArray x0 = batch.x();
        INDArray xAdv = x0.dup();
        INDArray momentum = Nd4j.zeros(x0.dataType(), x0.shape());
        INDArray labels = batch.lossLabels(model, Rows.all(batch.size()));
        double alpha = epsilon() / config().steps() * batch.direction();
        for (int t = 0; t < config().steps(); t++) {
            try (MemoryWorkspace ws = Workspaces.loop()) { // xAdv and momentum are updated in place
                LossAndGradient lg = model.lossAndGradient(xAdv, labels);
                batch.countGradientCalls(batch.size());
                INDArray grad = lg.gradient().reshape('c', batch.size(), -1);
                INDArray l1 = Transforms.max(grad.norm1(1), TINY, false).reshape(-1, 1);
                momentum.muli(config().decay()).addi(grad.divColumnVector(l1).reshape(x0.shape()));
                xAdv.addi(norm().steepestAscent(momentum).muli(alpha));
                projectAndClip(x0, xAdv);
            }
        }
        return xAdv;
    }

    /** Builds an {@link MiFgsm}; every value is checked in {@link #build()}. */
    public static final class Builder extends GradientAttack.Builder<Builder> {
        private int steps = 10;
        private double decay = 1.0;

        private Builder(GradientClassifier model) {
            super(model);
        }

        /** Iterations (default 10). */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** The momentum factor mu (default 1.0). */
        public Builder decay(double decay) {
            this.decay = decay;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public MiFgsm build() {
            return new MiFgsm(model, new Config(norm, epsilon, steps, decay, batchSize));
        }
    }
}
