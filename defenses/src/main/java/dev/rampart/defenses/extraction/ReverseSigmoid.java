package dev.rampart.defenses.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;

/**
 * The reverse sigmoid perturbation (Lee, Edraki &amp; Qi, "Defending Against NN Model Stealing
 * Attacks Using Deceptive Perturbations", IEEE S&amp;P Workshops 2019): each probability {@code y}
 * becomes {@code y - beta * (s(gamma * logit(y)) - 1/2)}, {@code s} the sigmoid, floored at 0, and
 * the row is renormalized. The perturbation pulls probabilities towards 1/2 by an amount that
 * grows where the sigmoid is steep, so the released values no longer move with the logits the way
 * a softmax does: a substitute fitted to them by cross-entropy learns a distorted function. For
 * small {@code beta} the top label is usually kept, but not always: its cost is measured.
 * Probabilities are clipped to [1e-6, 1 - 1e-6] before the logit.
 *
 * <pre>{@code
 * Classifier api = new ReverseSigmoid(victim, 1.0, 0.1);
 * }</pre>
 */
public final class ReverseSigmoid extends OutputDefense {

    private static final double CLIP = 1e-6;

    /**
     * @param beta the perturbation's size, positive
     * @param gamma the sigmoid's steepness, positive
     */
    public record Config(double beta, double gamma) implements OutputDefense.Config {
        /** @throws IllegalArgumentException if {@code beta} or {@code gamma} is not positive and finite */
        public Config {
            Check.positive("beta", beta);
            Check.positive("gamma", gamma);
        }

        @Override
        public ReverseSigmoid wrap(Classifier victim) {
            return new ReverseSigmoid(victim, beta, gamma);
        }
    }

    private final double beta;
    private final double gamma;

    /** @throws IllegalArgumentException if {@code victim} is null or {@code beta} or {@code gamma} is not positive and finite */
    public ReverseSigmoid(Classifier victim, double beta, double gamma) {
        super(victim);
        new Config(beta, gamma);
        this.beta = beta;
        this.gamma = gamma;
    }

    @Override
    public Config config() {
        return new Config(beta, gamma);
    }

    @Override
    protected double[] release(double[] p, long row) {
        double[] r = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            double y = Math.min(1 - CLIP, Math.max(CLIP, p[k]));
            double s = 1 / (1 + Math.exp(-gamma * Math.log(y / (1 - y))));
            r[k] = Math.max(0, y - beta * (s - 0.5));
        }
        return normalize(r, top(p, -1));
    }

    @Override
    public boolean keepsTopLabel() {
        return false;
    }

    @Override
    public ReverseSigmoid copy() {
        return new ReverseSigmoid(inner.copy(), beta, gamma);
    }

    @Override
    public String toString() {
        return "reverse sigmoid, beta " + beta + ", gamma " + gamma;
    }
}
