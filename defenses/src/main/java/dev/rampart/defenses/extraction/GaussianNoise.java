package dev.rampart.defenses.extraction;

import dev.rampart.core.model.Classifier;
import dev.rampart.core.random.Seeds;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Releases probabilities with Gaussian noise of standard deviation {@code sigma} added, negative
 * values set to 0, and the row renormalized (a row whose every value falls to 0 becomes one-hot at
 * the noisy maximum). The noise can move the top label: its accuracy cost is measured, not zero.
 * The draws are seeded: the n-th row this object answers gets the noise derived from the seed and
 * n, so a run is reproducible (and a repeated query gets fresh noise).
 *
 * <pre>{@code
 * Classifier api = new GaussianNoise(victim, 0.05, 7);
 * }</pre>
 */
public final class GaussianNoise extends OutputDefense {

    /**
     * @param sigma the noise's standard deviation, finite and non-negative
     * @param seed the seed of the draws
     */
    public record Config(double sigma, long seed) implements OutputDefense.Config {
        /** @throws IllegalArgumentException if {@code sigma} is negative or not finite */
        public Config {
            if (!(sigma >= 0) || !Double.isFinite(sigma)) {
                throw new IllegalArgumentException("sigma must be non-negative and finite, found " + sigma);
            }
        }

        @Override
        public GaussianNoise wrap(Classifier victim) {
            return new GaussianNoise(victim, sigma, seed);
        }
    }

    private final double sigma;
    private final long seed;
    private final AtomicLong rows = new AtomicLong();

    /** @throws IllegalArgumentException if {@code victim} is null or {@code sigma} is negative or not finite */
    public GaussianNoise(Classifier victim, double sigma, long seed) {
        super(victim);
        this.sigma = new Config(sigma, seed).sigma();
        this.seed = seed;
    }

    /** The settings; a fresh defense from them draws the same noise from its first row on. */
    @Override
    public Config config() {
        return new Config(sigma, seed);
    }

    @Override
    protected long nextRow(int n) {
        return rows.getAndAdd(n);
    }

    @Override
    protected double[] release(double[] p, long row) {
        SplittableRandom rnd = Seeds.random(Seeds.derive(seed, row));
        double[] noisy = new double[p.length];
        double[] r = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            noisy[k] = p[k] + sigma * Seeds.gaussian(rnd);
            r[k] = Math.max(0, noisy[k]);
        }
        return normalize(r, top(noisy, -1));
    }

    @Override
    public boolean keepsTopLabel() {
        return sigma == 0;
    }

    @Override
    public GaussianNoise copy() {
        return new GaussianNoise(inner.copy(), sigma, Seeds.derive(seed, -1));
    }

    @Override
    public String toString() {
        return "Gaussian noise, sigma " + sigma;
    }
}
