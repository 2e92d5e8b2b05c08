package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * HopSkipJumpAttack (Chen, Jordan &amp; Wainwright, "HopSkipJumpAttack: a query-efficient
 * decision-based attack", IEEE S&amp;P 2020), L2: a label-only attack that needs nothing but the
 * model's top class, so it runs on any {@link Classifier} and on services that return one label.
 *
 * <p>From an adversarial starting point (uniform noise in the domain, pulled toward the input by a
 * binary search), each iteration (1) finds the decision boundary between the input and the
 * current point by binary search, to a tolerance {@code theta = gamma / d^1.5}; (2) estimates the
 * boundary's normal there from {@code B_t = B_0 sqrt(t)} random unit directions at radius
 * {@code delta_t = sqrt(d) theta ||x_t - x||} (the sign of each probe, baseline-corrected, times
 * its direction, averaged); (3) steps along it by {@code ||x_t - x|| / sqrt(t)}, halved until the
 * point is adversarial again. It is a minimum-norm attack: with an infinite epsilon (the default)
 * it returns the closest adversarial point found (moved 0.1% farther, off the boundary itself); a
 * sweep is one run, each example then held to each budget. Every model query is counted ({@link EvasionResult#gradientCalls()}), and each
 * example stops at its query budget.
 *
 * <pre>{@code
 * EvasionResult r = HopSkipJump.builder(model).queries(5000).seed(1).build().run(x, labels);
 * double[] l2 = r.perturbationNorm();   // the smallest adversarial L2 distances found
 * }</pre>
 */
public final class HopSkipJump extends EvasionTemplate<HopSkipJump.Config> implements MinimumNormSearch {


    /**
     * HopSkipJump's configuration.
     *
     * @param norm L2 (the only norm of this implementation)
     * @param epsilon the budget, or infinity for the minimal perturbation found
     * @param queries model queries per example at most, the starting point's search included
     * @param initialEvaluations {@code B_0}, the directions of the first gradient estimate
     * @param maxEvaluations the most directions of one estimate
     * @param gamma sets the binary search's tolerance {@code gamma / d^1.5}
     * @param batchSize examples handled together (each is attacked on its own; queries are batched)
     * @param seed fixes the random directions
     */
    public record Config(Norm norm, double epsilon, int queries, int initialEvaluations, int maxEvaluations,
            double gamma, int batchSize, long seed) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, true);
            if (norm != Norm.L2) {
                throw new IllegalArgumentException("HopSkipJump is implemented for the L2 norm, found " + norm);
            }
            Check.positive("queries", queries);
            Check.positive("initialEvaluations", initialEvaluations);
            Check.positive("maxEvaluations", maxEvaluations);
            if (maxEvaluations < initialEvaluations) {
                throw new IllegalArgumentException("maxEvaluations (" + maxEvaluations
                        + ") must be at least initialEvaluations (" + initialEvaluations + ")");
            }
            if (!(gamma > 0) || Double.isInfinite(gamma)) {
                throw new IllegalArgumentException("gamma must be positive and finite, found " + gamma);
            }
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, queries, initialEvaluations, maxEvaluations, gamma, batchSize, seed);
        }
    }

    private final Classifier model;

    private HopSkipJump(Classifier model, Config config) {
        super(model, config);
        this.model = model.unchecked(); // run checks the input once; queries stay in the domain
    }

    /** A builder with defaults L2, no budget (minimal perturbation), 5,000 queries, {@code B_0 = 100}. */
    public static Builder builder(Classifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new Builder(model);
    }

    @Override
    public String name() {
        return "HopSkipJump-" + config().queries();
    }

    @Override
    public HopSkipJump withEpsilon(double epsilon) {
        return new HopSkipJump(model, config().withEpsilon(epsilon));
    }

    /**
     * All examples of the batch advance in lockstep, so that each model call answers one query per
     * example (binary and step searches) or all their probes at once (gradient estimates); each
     * example keeps its own query count and stops at its budget, or once it is within a finite
     * epsilon.
     */
    @Override
    protected INDArray perturb(Batch batch) {
        INDArray out = new Search(batch).run();
        return epsilon() == Double.POSITIVE_INFINITY ? out : projectAndClip(batch.x(), out);
    }

    /** Rows of probes sent to the model in one call, and made at once (memory stays bounded). */
    static final int PROBE_CHUNK = 2048;

    /** Workspace of one chunk of probes, inside an iteration's loop workspace. */
    private static final String CHUNK_SCOPE = "RAMPART_HSJ_CHUNK";

    /** HopSkipJump's iteration over the shared decision-based search. */
    private final class Search extends DecisionSearch {

        Search(Batch batch) {
            super(batch, HopSkipJump.this.model, config().queries(), config().gamma(), epsilon());
        }

        /** One iteration for every active example: gradient estimate, step search, binary search. */
        @Override
        void iterate(int t) {
            int evalsT = (int) Math.min(config().maxEvaluations(), config().initialEvaluations() * Math.sqrt(t));
            int[] who = activeWhere(i -> Math.min(evalsT, queries - used[i]) >= 2 && dist(i) > 0);
            boolean[] going = new boolean[n];
            for (int i : who) {
                going[i] = true;
            }
            for (int i = 0; i < n; i++) {
                active[i] &= going[i]; // the others are out of queries, or on the input itself
            }
            if (who.length == 0) {
                return;
            }
            INDArray[] v = directions(who, evalsT);
            double[] step = new double[n];
            INDArray[] next = new INDArray[n];
            for (int i : who) {
                step[i] = v[i] == null ? 0 : dist(i) / Math.sqrt(t);
            }
            while (true) {
                int[] pending = java.util.Arrays.stream(who).filter(i -> next[i] == null && step[i] > 1e-12
                        && left(i, 1)).toArray();
                if (pending.length == 0) {
                    break;
                }
                INDArray[] cand = new INDArray[n];
                for (int i : pending) {
                    cand[i] = domain.clipInPlace(row(current, i).add(v[i].mul(step[i])));
                }
                boolean[] a = adversarial(cand, pending);
                for (int k = 0; k < pending.length; k++) {
                    int i = pending[k];
                    if (a[k]) {
                        next[i] = cand[i];
                    } else {
                        step[i] /= 2;
                    }
                }
            }
            for (int i : who) {
                if (next[i] == null) {
                    active[i] = false; // no step stays adversarial: the search has converged
                }
            }
            boundary(next);
            for (int i : who) {
                keep(i);
            }
        }

        /**
         * The estimated normal of the boundary at each example's current point, pointing to the
         * adversarial side, from up to {@code evalsT} probes at radius {@code delta_t}; null where it
         * vanishes. Probes of several examples share model calls of at most {@value #PROBE_CHUNK}
         * rows, each chunk made and dropped in its own workspace; per example, only the sums
         * {@code sum(phi u)}, {@code sum(u)} and {@code sum(phi)} are kept, from which the
         * baseline-corrected mean {@code mean((phi - mean(phi)) u)} follows.
         */
        private INDArray[] directions(int[] who, int evalsT) {
            int[] evals = new int[n];
            double[] delta = new double[n];
            INDArray[] sumPhiU = new INDArray[n];
            INDArray[] sumU = new INDArray[n];
            double[] sumPhi = new double[n];
            for (int i : who) {
                evals[i] = (int) Math.min(evalsT, queries - used[i]);
                delta[i] = Math.sqrt(d) * theta * dist(i);
                sumPhiU[i] = Nd4j.zeros(DataType.DOUBLE, 1, d);
                sumU[i] = Nd4j.zeros(DataType.DOUBLE, 1, d);
            }
            int k = 0;       // position in who
            int done = 0;    // probes of who[k] already made
            while (k < who.length) {
                try (MemoryWorkspace ws = Workspaces.scope(CHUNK_SCOPE)) {
                    List<int[]> segments = new java.util.ArrayList<>(); // {example, count}
                    int rows = 0;
                    while (k < who.length && rows < PROBE_CHUNK) {
                        int i = who[k];
                        int take = Math.min(evals[i] - done, PROBE_CHUNK - rows);
                        segments.add(new int[] {i, take});
                        rows += take;
                        done += take;
                        if (done == evals[i]) {
                            k++;
                            done = 0;
                        }
                    }
                    INDArray[] flats = new INDArray[segments.size()];
                    INDArray[] taken = new INDArray[segments.size()];
                    int[] owner = new int[rows];
                    int r = 0;
                    for (int s = 0; s < segments.size(); s++) {
                        int i = segments.get(s)[0];
                        int m = segments.get(s)[1];
                        float[] g = new float[(int) (m * d)];
                        for (int j = 0; j < g.length; j++) {
                            g[j] = (float) Seeds.gaussian(rnd[i]);
                        }
                        INDArray u = Nd4j.create(g, new long[] {m, d}, 'c').castTo(x.dataType());
                        u.diviColumnVector(u.norm2(1).reshape(m, 1).addi(1e-12));
                        INDArray at = row(current, i).reshape(1, d);
                        flats[s] = domain.clipInPlace(u.muli(delta[i]).addiRowVector(at));
                        taken[s] = flats[s].subRowVector(at).divi(delta[i]); // the directions taken, after clipping
                        java.util.Arrays.fill(owner, r, r + m, i);
                        r += m;
                    }
                    long[] shape = x.shape().clone();
                    shape[0] = rows;
                    boolean[] a = adversarial(Nd4j.concat(0, flats).reshape(shape), owner);
                    r = 0;
                    for (int s = 0; s < segments.size(); s++) {
                        int i = segments.get(s)[0];
                        int m = segments.get(s)[1];
                        INDArray phi = Nd4j.create(DataType.DOUBLE, m, 1);
                        for (int j = 0; j < m; j++) {
                            double p = a[r + j] ? 1 : -1;
                            phi.putScalar(j, 0, p);
                            sumPhi[i] += p;
                        }
                        INDArray t = taken[s].castTo(DataType.DOUBLE);
                        sumPhiU[i].addi(t.mulColumnVector(phi).sum(true, 0));
                        sumU[i].addi(t.sum(true, 0));
                        r += m;
                    }
                }
            }
            INDArray[] v = new INDArray[n];
            for (int i : who) {
                double meanPhi = sumPhi[i] / evals[i];
                INDArray vi = sumPhiU[i].div(evals[i]);
                if (Math.abs(meanPhi) != 1) { // all probes on one side: no baseline to subtract
                    vi.subi(sumU[i].mul(meanPhi / evals[i]));
                }
                double norm = vi.norm2Number().doubleValue();
                v[i] = norm > 0 ? vi.divi(norm).castTo(x.dataType()).reshape(x0(i).shape()) : null;
            }
            return v;
        }
    }

    /** Builds a {@link HopSkipJump}; every value is checked in {@link #build()}. */
    public static final class Builder extends EvasionTemplate.Builder<Builder> {
        private final Classifier model;
        private int queries = 5000;
        private int initialEvaluations = 100;
        private int maxEvaluations = 10_000;
        private double gamma = 1.0;

        private Builder(Classifier model) {
            this.model = model;
            this.norm = Norm.L2;
            this.epsilon = Double.POSITIVE_INFINITY;
        }

        /** Model queries per example at most (default 5,000). */
        public Builder queries(int queries) {
            this.queries = queries;
            return this;
        }

        /** {@code B_0}, the directions of the first gradient estimate (default 100). */
        public Builder initialEvaluations(int n) {
            this.initialEvaluations = n;
            return this;
        }

        /** The most directions of one gradient estimate (default 10,000). */
        public Builder maxEvaluations(int n) {
            this.maxEvaluations = n;
            return this;
        }

        /** The binary search's tolerance factor (default 1.0, tolerance {@code gamma / d^1.5}). */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public HopSkipJump build() {
            return new HopSkipJump(model, new Config(norm, epsilon, queries, initialEvaluations, maxEvaluations, gamma,
                    batchSize, seed));
        }
    }
}
