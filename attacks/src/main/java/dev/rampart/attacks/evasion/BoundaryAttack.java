package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Boundary attack (Brendel, Rauber &amp; Bethge, "Decision-based adversarial attacks: reliable
 * attacks against black-box machine learning models", ICLR 2018), L2: the first label-only
 * attack, a random walk along the decision boundary that needs only the model's top class.
 *
 * <p>From an adversarial starting point (uniform noise pulled toward the input by a binary
 * search), each step draws a Gaussian direction orthogonal to the line to the input, scaled to a
 * share {@code delta} of the current distance and projected back onto the sphere around the
 * input (the spherical candidate), then moves a share {@code epsilon} of the way toward the input
 * (the candidate); it is kept if it fools the model. Both candidates are queried, and every 10
 * steps the two shares are adapted by a factor 1.5 so that about half of the spherical candidates
 * and a quarter of the candidates stay adversarial, as the paper does. HopSkipJump reaches the same
 * distances with far fewer queries; this attack is the reference point of the decision-based
 * literature. A minimum-norm search: with an infinite epsilon (the default) it returns the
 * closest adversarial point found.
 *
 * <pre>{@code
 * EvasionResult r = BoundaryAttack.builder(model).queries(10_000).seed(1).build().run(x, labels);
 * }</pre>
 */
public final class BoundaryAttack extends EvasionTemplate<BoundaryAttack.Config> implements MinimumNormSearch {

    /** Steps between two adaptations of the step sizes. */
    static final int ADAPT_EVERY = 10;
    /** The factor step sizes are multiplied or divided by. */
    static final double ADAPT_FACTOR = 1.5;

    /**
     * The Boundary attack's configuration.
     *
     * @param norm L2 (the only norm of this implementation)
     * @param epsilon the budget, or infinity for the minimal perturbation found
     * @param queries model queries per example at most (two per step), the start's search included
     * @param sphericalStep the first orthogonal step, as a share of the distance to the input
     * @param sourceStep the first step toward the input, as a share of the distance
     * @param batchSize examples handled together
     * @param seed fixes the random walk
     */
    public record Config(Norm norm, double epsilon, int queries, double sphericalStep, double sourceStep,
            int batchSize, long seed) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, true);
            if (norm != Norm.L2) {
                throw new IllegalArgumentException("the Boundary attack is implemented for the L2 norm, found " + norm);
            }
            Check.positive("queries", queries);
            if (!(sphericalStep > 0 && sphericalStep <= 1)) {
                throw new IllegalArgumentException("sphericalStep must be in (0, 1], found " + sphericalStep);
            }
            if (!(sourceStep > 0 && sourceStep < 1)) {
                throw new IllegalArgumentException("sourceStep must be in (0, 1), found " + sourceStep);
            }
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, queries, sphericalStep, sourceStep, batchSize, seed);
        }
    }

    private final Classifier model;

    private BoundaryAttack(Classifier model, Config config) {
        super(model, config);
        this.model = model.unchecked();
    }

    /** A builder with defaults L2, no budget, 5,000 queries, both first steps 0.01. */
    public static Builder builder(Classifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new Builder(model);
    }

    @Override
    public String name() {
        return "Boundary-" + config().queries();
    }

    @Override
    public BoundaryAttack withEpsilon(double epsilon) {
        return new BoundaryAttack(model, config().withEpsilon(epsilon));
    }

    @Override
    protected INDArray perturb(Batch batch) {
        INDArray out = new Walk(batch).run();
        return epsilon() == Double.POSITIVE_INFINITY ? out : projectAndClip(batch.x(), out);
    }

    /** The random walk over the shared decision-based search. */
    private final class Walk extends DecisionSearch {
        private final double[] spherical;
        private final double[] source;
        private final int[] sphericalHits;
        private final int[] sourceHits;
        private final int[] tries;

        Walk(Batch batch) {
            super(batch, BoundaryAttack.this.model, config().queries(), 1.0, epsilon());
            spherical = new double[n];
            source = new double[n];
            java.util.Arrays.fill(spherical, config().sphericalStep());
            java.util.Arrays.fill(source, config().sourceStep());
            sphericalHits = new int[n];
            sourceHits = new int[n];
            tries = new int[n];
        }

        @Override
        void iterate(int t) {
            int[] who = activeWhere(i -> left(i, 2) && dist(i) > 0 && source[i] > 1e-9);
            boolean[] going = new boolean[n];
            for (int i : who) {
                going[i] = true;
            }
            for (int i = 0; i < n; i++) {
                active[i] &= going[i]; // out of queries, on the input, or converged
            }
            if (who.length == 0) {
                return;
            }
            INDArray[] rows = new INDArray[2 * who.length];
            int[] owner = new int[2 * who.length];
            for (int k = 0; k < who.length; k++) {
                int i = who[k];
                INDArray cur = row(current, i);
                INDArray x0 = x0(i);
                double dist = dist(i);
                float[] g = new float[(int) d];
                for (int j = 0; j < g.length; j++) {
                    g[j] = (float) Seeds.gaussian(rnd[i]);
                }
                INDArray eta = Nd4j.create(g, cur.shape(), 'c').castTo(cur.dataType());
                INDArray toSource = x0.sub(cur).divi(dist);
                eta.subi(toSource.mul(eta.mul(toSource).sumNumber().doubleValue())); // orthogonal to the line
                double norm = eta.norm2Number().doubleValue();
                eta.muli(norm > 0 ? spherical[i] * dist / norm : 0);
                INDArray onSphere = cur.add(eta).subi(x0);
                double r = onSphere.norm2Number().doubleValue();
                INDArray sphericalCandidate = domain.clipInPlace(onSphere.muli(dist / r).addi(x0));
                INDArray candidate = domain.clipInPlace(sphericalCandidate.add(x0.sub(sphericalCandidate).muli(source[i])));
                rows[2 * k] = sphericalCandidate;
                rows[2 * k + 1] = candidate;
                owner[2 * k] = i;
                owner[2 * k + 1] = i;
            }
            boolean[] a = adversarial(Nd4j.concat(0, rows), owner);
            for (int k = 0; k < who.length; k++) {
                int i = who[k];
                sphericalHits[i] += a[2 * k] ? 1 : 0;
                sourceHits[i] += a[2 * k + 1] ? 1 : 0;
                if (a[2 * k + 1]) {
                    row(current, i).assign(rows[2 * k + 1]);
                    keep(i);
                }
                if (++tries[i] == ADAPT_EVERY) {
                    spherical[i] = Math.min(1, sphericalHits[i] > ADAPT_EVERY / 2 ? spherical[i] * ADAPT_FACTOR
                            : spherical[i] / ADAPT_FACTOR);
                    source[i] = Math.min(0.5, sourceHits[i] > ADAPT_EVERY / 4 ? source[i] * ADAPT_FACTOR
                            : source[i] / ADAPT_FACTOR);
                    tries[i] = 0;
                    sphericalHits[i] = 0;
                    sourceHits[i] = 0;
                }
            }
        }
    }

    /** Builds a {@link BoundaryAttack}; every value is checked in {@link #build()}. */
    public static final class Builder extends EvasionTemplate.Builder<Builder> {
        private final Classifier model;
        private int queries = 5000;
        private double sphericalStep = 0.01;
        private double sourceStep = 0.01;

        private Builder(Classifier model) {
            this.model = model;
            this.norm = Norm.L2;
            this.epsilon = Double.POSITIVE_INFINITY;
        }

        /** Model queries per example at most (default 5,000; two per step). */
        public Builder queries(int queries) {
            this.queries = queries;
            return this;
        }

        /** The first orthogonal step, as a share of the distance to the input (default 0.01). */
        public Builder sphericalStep(double share) {
            this.sphericalStep = share;
            return this;
        }

        /** The first step toward the input, as a share of the distance (default 0.01). */
        public Builder sourceStep(double share) {
            this.sourceStep = share;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public BoundaryAttack build() {
            return new BoundaryAttack(model, new Config(norm, epsilon, queries, sphericalStep, sourceStep, batchSize,
                    seed));
        }
    }
}
