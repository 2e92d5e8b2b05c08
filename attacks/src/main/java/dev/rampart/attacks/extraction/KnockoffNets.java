package dev.rampart.attacks.extraction;

import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Knockoff Nets (Orekondy, Schiele &amp; Fritz, "Knockoff Nets: Stealing Functionality of Black-Box
 * Models", CVPR 2019): query the victim on images drawn from a pool, possibly from another domain,
 * and train a substitute on its answers.
 *
 * <ul>
 *   <li>{@link Builder#random()}: the pool is sampled uniformly without replacement.</li>
 *   <li>{@link Builder#adaptive(int[])}: each pool image belongs to an action (its class in the
 *       pool's own labelling, or a cluster); a gradient bandit (Sutton &amp; Barto, ch. 2.8) learns
 *       which actions pay, from the paper's rewards: certainty (the victim's top-1 minus top-2
 *       probability), diversity (how much an answer exceeds the mean of the recent answers) and
 *       loss (cross-entropy of the online substitute against the victim's answer). Each reward is
 *       standardized by its running mean and deviation (a zero deviation gives 0, never a division
 *       by zero), the substitute's probabilities are floored before the logarithm, and the action
 *       preferences enter a max-shifted softmax, so no reward or preference overflows.</li>
 * </ul>
 * The substitute is retrained from scratch on the first {@code b} answers at every checkpoint
 * {@code b} of the budget, which gives the curve; the last checkpoint is the budget. Every query
 * goes through a {@link QueryRecorder}: the budget is exact.
 *
 * <pre>{@code
 * ExtractionResult r = KnockoffNets.builder(victim).pool(images).answers(Answers.PROBABILITIES)
 *         .budgets(250, 1000, 5000).substitute(substitute).heldOut(test).seed(1).build().run();
 * r.fidelity();
 * }</pre>
 */
public final class KnockoffNets {

    /** Rewards of the adaptive strategy. */
    public enum Reward { CERTAINTY, DIVERSITY, LOSS, ALL }

    static final int QUERY_BATCH = 500;
    private static final double LOG_FLOOR = 1e-12;

    private final Builder b;
    private final long[] budgets;
    private final int numActions;

    private KnockoffNets(Builder b, long[] budgets, int numActions) {
        this.b = b;
        this.budgets = budgets;
        this.numActions = numActions;
    }

    public static Builder builder(Classifier victim) {
        return new Builder(victim);
    }

    /** Runs the probe: queries, trains, evaluates. */
    public ExtractionResult run() {
        long t0 = System.nanoTime();
        long budget = budgets[budgets.length - 1];
        QueryRecorder api = new QueryRecorder(b.victim, b.answers, budget);
        HeldOut held = b.held();
        if (b.actions == null) {
            int[] order = Seeds.sample((int) b.pool.size(0), (int) budget, Seeds.random(Seeds.derive(b.seed, 0)));
            for (int from = 0; from < order.length; from += QUERY_BATCH) {
                api.ask(Rows.gather(b.pool, Arrays.copyOfRange(order, from, Math.min(order.length, from + QUERY_BATCH))));
            }
        } else {
            adaptive(api);
        }
        return trainOnPrefixes(name(), b.victim, api, budgets, b.substitute, held, b.seed, t0);
    }

    static ExtractionResult trainOnPrefixes(String name, Classifier victim, QueryRecorder api, long[] budgets, Substitute substitute,
            HeldOut held, long seed, long t0) {
        INDArray x = api.inputs();
        INDArray y = api.outputs();
        List<ExtractionResult.Point> curve = new ArrayList<>();
        TrainableModel last = null;
        for (long q : budgets) {
            last = substitute.train(victim, Substitute.head(x, q), Substitute.head(y, q),
                    Seeds.derive(seed, 10, q));
            curve.add(held.point(q, last));
        }
        ExtractionResult.Point end = curve.get(curve.size() - 1);
        return new ExtractionResult(name, api.answers(), api.spent(), last, end.accuracy(), end.fidelity(), curve,
                (System.nanoTime() - t0) / 1e9);
    }

    private String name() {
        return b.name != null ? b.name : b.actions == null ? "Knockoff Nets (random)"
                : "Knockoff Nets (adaptive, " + b.reward.name().toLowerCase(Locale.ROOT) + " reward)";
    }

    /** The gradient bandit over actions, with an online substitute for the loss reward. */
    private void adaptive(QueryRecorder api) {
        SplittableRandom rnd = Seeds.random(Seeds.derive(b.seed, 1));
        int[][] queues = new int[numActions][];
        int[] next = new int[numActions];
        int[] sizes = new int[numActions];
        for (int a : b.actions) {
            sizes[a]++;
        }
        for (int a = 0; a < numActions; a++) {
            queues[a] = new int[sizes[a]];
        }
        int[] fill = new int[numActions];
        for (int i : dev.rampart.core.data.ShuffledBatches.permutation(b.actions.length, rnd)) {
            queues[b.actions[i]][fill[b.actions[i]]++] = i;
        }
        double[] h = new double[numActions];
        RunningStats[] stats = {new RunningStats(), new RunningStats(), new RunningStats()};
        RunningStats baseline = new RunningStats();
        TrainableModel online = b.substitute.create(Seeds.derive(b.seed, 2), b.victim);
        int classes = b.victim.numClasses();
        java.util.ArrayDeque<double[]> recent = new java.util.ArrayDeque<>();
        long step = 0;
        while (api.remaining() > 0) {
            int n = (int) Math.min(b.banditBatch, api.remaining());
            int[] picks = new int[n];
            int[] chosen = new int[n];
            for (int j = 0; j < n; j++) {
                double[] pi = policy(h, queues, next);
                int a = draw(pi, rnd);
                chosen[j] = a;
                picks[j] = queues[a][next[a]++];
            }
            INDArray x = Rows.gather(b.pool, picks);
            double[][] y = api.ask(x).castTo(DataType.DOUBLE).toDoubleMatrix();
            double[][] s = online.predictProbabilities(x.dup()).castTo(DataType.DOUBLE).toDoubleMatrix();
            for (int j = 0; j < n; j++) {
                double[] raw = {certainty(y[j]), diversity(y[j], recent, classes), crossEntropy(y[j], s[j])};
                recent.addLast(y[j]);
                if (recent.size() > b.diversityWindow) {
                    recent.removeFirst();
                }
                double r = 0;
                for (int k = 0; k < 3; k++) {
                    double z = stats[k].standardize(raw[k]);
                    stats[k].add(raw[k]);
                    if (b.reward == Reward.ALL || b.reward.ordinal() == k) {
                        r += z;
                    }
                }
                double advantage = r - baseline.mean();
                baseline.add(r);
                double[] pi = policy(h, queues, next);
                for (int a = 0; a < numActions; a++) {
                    h[a] += b.learningRate * advantage * ((a == chosen[j] ? 1 : 0) - pi[a]);
                }
            }
            b.substitute.fit(online, x, org.nd4j.linalg.factory.Nd4j.createFromArray(y).castTo(DataType.FLOAT), 1, Seeds.derive(b.seed, 3, step++));
        }
    }

    /** Softmax of the preferences over actions with images left (max-shifted: no overflow). */
    static double[] policy(double[] h, int[][] queues, int[] next) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < h.length; a++) {
            if (next[a] < queues[a].length) {
                max = Math.max(max, h[a]);
            }
        }
        double[] p = new double[h.length];
        double sum = 0;
        for (int a = 0; a < h.length; a++) {
            if (next[a] < queues[a].length) {
                p[a] = Math.exp(h[a] - max);
                sum += p[a];
            }
        }
        for (int a = 0; a < h.length; a++) {
            p[a] /= sum;
        }
        return p;
    }

    private static int draw(double[] p, SplittableRandom rnd) {
        double u = rnd.nextDouble();
        int last = -1;
        for (int a = 0; a < p.length; a++) {
            if (p[a] > 0) {
                last = a;
                u -= p[a];
                if (u < 0) {
                    return a;
                }
            }
        }
        return last;
    }

    /** Top-1 minus top-2 probability. */
    static double certainty(double[] y) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    /** How far the answer exceeds the mean of the recent answers, summed over classes. */
    static double diversity(double[] y, java.util.Collection<double[]> recent, int classes) {
        if (recent.isEmpty()) {
            return 0;
        }
        double[] mean = new double[classes];
        for (double[] r : recent) {
            for (int k = 0; k < classes; k++) {
                mean[k] += r[k] / recent.size();
            }
        }
        double d = 0;
        for (int k = 0; k < classes; k++) {
            d += Math.max(0, y[k] - mean[k]);
        }
        return d;
    }

    /** Cross-entropy of the substitute's probabilities {@code s} against the answer {@code y}, log floored. */
    static double crossEntropy(double[] y, double[] s) {
        double ce = 0;
        for (int k = 0; k < y.length; k++) {
            if (y[k] > 0) {
                double p = Double.isFinite(s[k]) ? Math.max(s[k], LOG_FLOOR) : LOG_FLOOR;
                ce -= y[k] * Math.log(p);
            }
        }
        return ce;
    }

    /** Welford's running mean and variance. */
    static final class RunningStats {
        private long n;
        private double mean;
        private double m2;

        void add(double v) {
            n++;
            double d = v - mean;
            mean += d / n;
            m2 += d * (v - mean);
        }

        double mean() {
            return mean;
        }

        /** {@code (v - mean) / sd}, or 0 while the deviation is zero or unknown. */
        double standardize(double v) {
            double sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
            return sd > 1e-12 ? (v - mean) / sd : 0;
        }
    }

    /** Builds a {@link KnockoffNets} probe; every value is checked in {@link #build()}. */
    public static final class Builder extends ProbeBuilder<Builder> {
        private INDArray pool;
        private long[] budgets;
        private int[] actions;
        private Reward reward = Reward.ALL;
        private double learningRate = 0.1;
        private int banditBatch = 50;
        private int diversityWindow = 25;
        private String name;

        private Builder(Classifier victim) {
            super(victim, Answers.PROBABILITIES);
        }

        /** The images the attacker may query, {@code [n, victim's input shape]}, inside the victim's domain. */
        public Builder pool(INDArray pool) {
            this.pool = pool;
            return this;
        }

        /** Checkpoints of the curve, increasing; the last is the budget. */
        public Builder budgets(long... budgets) {
            this.budgets = budgets == null ? null : budgets.clone();
            return this;
        }

        /** Uniform sampling of the pool (the default). */
        public Builder random() {
            this.actions = null;
            return this;
        }

        /** Adaptive sampling; {@code actions[i]} is the action (a non-negative id) of pool image {@code i}. */
        public Builder adaptive(int[] actions) {
            if (actions == null) {
                throw new IllegalArgumentException("actions must not be null");
            }
            this.actions = actions.clone();
            return this;
        }

        /** The adaptive strategy's reward (default all three, summed). */
        public Builder reward(Reward reward) {
            this.reward = reward;
            return this;
        }

        /** The bandit's step size (default 0.1). */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** Queries per bandit round, after which the online substitute takes one pass (default 50). */
        public Builder banditBatch(int n) {
            this.banditBatch = n;
            return this;
        }

        Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public KnockoffNets build() {
            if (pool == null) {
                throw new IllegalArgumentException("pool must not be null");
            }
            if (pool.rank() > 0 && pool.size(0) == 0) {
                throw new IllegalArgumentException("pool is empty (shape " + Arrays.toString(pool.shape()) + ")");
            }
            Inputs.checkBatch(victim, pool, "pool");
            Inputs.checkFiniteInDomain(pool, victim.domain(), "pool");
            checkCommon();
            long[] checked = checkBudgets(budgets);
            if (checked[checked.length - 1] > pool.size(0)) {
                throw new IllegalArgumentException("budget " + checked[checked.length - 1] + " exceeds the pool of "
                        + pool.size(0) + " images (each is queried at most once)");
            }
            int numActions = 0;
            if (actions != null) {
                if (actions.length != pool.size(0)) {
                    throw new IllegalArgumentException("actions has " + actions.length + " entries, the pool "
                            + pool.size(0) + " images");
                }
                for (int i = 0; i < actions.length; i++) {
                    if (actions[i] < 0) {
                        throw new IllegalArgumentException("actions[" + i + "] must be non-negative, found "
                                + actions[i]);
                    }
                    numActions = Math.max(numActions, actions[i] + 1);
                }
                if (reward == null) {
                    throw new IllegalArgumentException("reward must not be null");
                }
                if (!(learningRate > 0 && Double.isFinite(learningRate))) {
                    throw new IllegalArgumentException("learningRate must be positive and finite, found "
                            + learningRate);
                }
                if (banditBatch <= 0) {
                    throw new IllegalArgumentException("banditBatch must be positive, found " + banditBatch);
                }
            }
            substitute.create(seed, victim);
            return new KnockoffNets(this, checked, numActions);
        }
    }

    /** Checks the checkpoints: at least one, each positive, strictly increasing. */
    static long[] checkBudgets(long[] budgets) {
        if (budgets == null || budgets.length == 0) {
            throw new IllegalArgumentException("budgets must hold at least one query count");
        }
        for (int i = 0; i < budgets.length; i++) {
            if (budgets[i] <= 0) {
                throw new IllegalArgumentException("budget must be positive, found " + budgets[i]);
            }
            if (i > 0 && budgets[i] <= budgets[i - 1]) {
                throw new IllegalArgumentException("budgets must increase, found " + Arrays.toString(budgets));
            }
        }
        return budgets.clone();
    }
}
