package dev.rampart.attacks.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * goes through a {@link QueryRecorder}: the budget is exact. The settings are a {@link Config}
 * record; the pool is read (rows are gathered into copies), never modified.
 *
 * <pre>{@code
 * ExtractionResult r = KnockoffNets.builder(victim).pool(images).answers(Answers.PROBABILITIES)
 *         .budgets(250, 1000, 5000).substitute(substitute).heldOut(test).seed(1).build().run();
 * r.fidelity();
 * }</pre>
 */
public final class KnockoffNets implements ExtractionProbe {

    /** Rewards of the adaptive strategy. */
    public enum Reward { CERTAINTY, DIVERSITY, LOSS, ALL }

    /** How the pool is sampled. */
    public sealed interface Strategy permits Random, Adaptive {
    }

    /** Uniform sampling of the pool without replacement. */
    public record Random() implements Strategy {
    }

    /**
     * The gradient bandit over actions.
     *
     * @param reward which reward it learns from
     * @param learningRate the bandit's step size
     * @param banditBatch queries per bandit round, after which the online substitute takes one pass
     * @param diversityWindow recent answers the diversity reward compares with
     * @param actions how many actions the pool's images fall into
     */
    public record Adaptive(Reward reward, double learningRate, int banditBatch, int diversityWindow, int actions)
            implements Strategy {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Adaptive {
            Check.notNull("reward", reward);
            Check.positive("learningRate", learningRate);
            Check.positive("banditBatch", banditBatch);
            Check.positive("diversityWindow", diversityWindow);
            Check.positive("actions", actions);
        }
    }

    /**
     * Knockoff Nets' configuration.
     *
     * @param strategy random or adaptive sampling
     * @param answers what the victim releases
     * @param budgets checkpoints of the curve, increasing; the last is the budget
     * @param seed the seed of every random choice
     * @param label the name in reports
     */
    public record Config(Strategy strategy, Answers answers, List<Long> budgets, long seed, String label)
            implements ExtractionProbe.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("strategy", strategy);
            Check.notNull("answers", answers);
            Check.notNull("label", label);
            budgets = Arrays.stream(checkBudgets(budgets == null ? null
                    : budgets.stream().mapToLong(v -> Check.notNull("budgets entry", v)).toArray())).boxed().toList();
        }

        @Override
        public long budget() {
            return budgets.get(budgets.size() - 1);
        }
    }

    static final int QUERY_BATCH = 500;
    private static final double LOG_FLOOR = 1e-12;

    private final ProbeBuilder.Setup setup;
    private final Config config;
    private final INDArray pool;
    private final int[] actions;

    private KnockoffNets(ProbeBuilder.Setup setup, Config config, INDArray pool, int[] actions) {
        this.setup = setup;
        this.config = config;
        this.pool = pool;
        this.actions = actions;
    }

    public static Builder builder(Classifier victim) {
        return new Builder(victim);
    }

    @Override
    public String name() {
        return config.label();
    }

    @Override
    public Config config() {
        return config;
    }

    /** The default name of a strategy. */
    static String label(Strategy strategy) {
        return strategy instanceof Adaptive a
                ? "Knockoff Nets (adaptive, " + a.reward().name().toLowerCase(Locale.ROOT) + " reward)"
                : "Knockoff Nets (random)";
    }

    /** Runs the probe: queries, trains, evaluates. */
    @Override
    public ExtractionResult run() {
        long t0 = System.nanoTime();
        long budget = config.budget();
        QueryRecorder api = new QueryRecorder(setup.victim(), config.answers(), budget);
        HeldOut held = setup.held();
        if (config.strategy() instanceof Adaptive a) {
            adaptive(api, a);
        } else {
            int[] order = Seeds.sample((int) pool.size(0), (int) budget, Seeds.random(Seeds.derive(config.seed(), 0)));
            for (int from = 0; from < order.length; from += QUERY_BATCH) {
                api.ask(Rows.gather(pool, Arrays.copyOfRange(order, from, Math.min(order.length, from + QUERY_BATCH))));
            }
        }
        INDArray x = api.inputs();
        INDArray y = api.outputs();
        List<ExtractionResult.Point> curve = new ArrayList<>();
        TrainableModel last = null;
        for (long q : config.budgets()) {
            last = setup.substitute().train(setup.victim(), Substitute.head(x, q), Substitute.head(y, q),
                    Seeds.derive(config.seed(), 10, q));
            curve.add(held.point(q, last));
        }
        return ExtractionResult.of(this, api.spent(), last, curve, t0);
    }

    /** The gradient bandit over actions, with an online substitute for the loss reward. */
    private void adaptive(QueryRecorder api, Adaptive a) {
        SplittableRandom rnd = Seeds.random(Seeds.derive(config.seed(), 1));
        int numActions = a.actions();
        int[][] queues = new int[numActions][];
        int[] next = new int[numActions];
        int[] sizes = new int[numActions];
        for (int act : actions) {
            sizes[act]++;
        }
        for (int act = 0; act < numActions; act++) {
            queues[act] = new int[sizes[act]];
        }
        int[] fill = new int[numActions];
        for (int i : ShuffledBatches.permutation(actions.length, rnd)) {
            queues[actions[i]][fill[actions[i]]++] = i;
        }
        double[] h = new double[numActions];
        SummaryStatistics[] stats = {new SummaryStatistics(), new SummaryStatistics(), new SummaryStatistics()};
        SummaryStatistics baseline = new SummaryStatistics();
        TrainableModel online = setup.substitute().create(Seeds.derive(config.seed(), 2), setup.victim());
        int classes = setup.victim().numClasses();
        ArrayDeque<double[]> recent = new ArrayDeque<>();
        long step = 0;
        while (api.remaining() > 0) {
            int n = (int) Math.min(a.banditBatch(), api.remaining());
            int[] picks = new int[n];
            int[] chosen = new int[n];
            for (int j = 0; j < n; j++) {
                int act = draw(policy(h, queues, next), rnd);
                chosen[j] = act;
                picks[j] = queues[act][next[act]++];
            }
            INDArray x = Rows.gather(pool, picks);
            double[][] y;
            double[][] s;
            // the round's answers and the online substitute's predictions are temporaries
            try (MemoryWorkspace ws = Workspaces.loop()) {
                y = api.ask(x).castTo(DataType.DOUBLE).toDoubleMatrix();
                s = online.predictProbabilities(x.dup()).castTo(DataType.DOUBLE).toDoubleMatrix();
            }
            for (int j = 0; j < n; j++) {
                double[] raw = {certainty(y[j]), diversity(y[j], recent, classes), crossEntropy(y[j], s[j])};
                recent.addLast(y[j]);
                if (recent.size() > a.diversityWindow()) {
                    recent.removeFirst();
                }
                double r = 0;
                for (int k = 0; k < 3; k++) {
                    double z = standardize(stats[k], raw[k]);
                    stats[k].addValue(raw[k]);
                    if (a.reward() == Reward.ALL || a.reward().ordinal() == k) {
                        r += z;
                    }
                }
                double advantage = r - (baseline.getN() > 0 ? baseline.getMean() : 0);
                baseline.addValue(r);
                double[] pi = policy(h, queues, next);
                for (int act = 0; act < numActions; act++) {
                    h[act] += a.learningRate() * advantage * ((act == chosen[j] ? 1 : 0) - pi[act]);
                }
            }
            setup.substitute().fit(online, x, Nd4j.createFromArray(y).castTo(DataType.FLOAT), 1,
                    Seeds.derive(config.seed(), 3, step++));
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

    /**
     * {@code (v - mean) / sd} against the rewards seen so far, or 0 while the deviation is zero or
     * unknown (fewer than two rewards): a reward that never changes adds nothing.
     */
    static double standardize(SummaryStatistics seen, double v) {
        double sd = seen.getN() > 1 ? seen.getStandardDeviation() : 0;
        return sd > 1e-12 ? (v - seen.getMean()) / sd : 0;
    }

    /**
     * Builds a {@link KnockoffNets} probe; every value is checked in {@link #build()}, which copies
     * the settings into the probe's {@link Config}.
     */
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

        /**
         * The images the attacker may query, {@code [n, victim's input shape]}, inside the victim's
         * domain. The probe reads it when it runs (without copying the whole pool): leave it
         * unchanged until then.
         */
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
            this.actions = Check.notNull("actions", actions).clone();
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

        /** Recent answers the diversity reward compares with (default 25). */
        public Builder diversityWindow(int n) {
            this.diversityWindow = n;
            return this;
        }

        Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public KnockoffNets build() {
            Check.notNull("pool", pool);
            if (pool.rank() > 0 && pool.size(0) == 0) {
                throw new IllegalArgumentException("pool is empty (shape " + Arrays.toString(pool.shape()) + ")");
            }
            Inputs.checkBatch(victim, pool, "pool");
            Inputs.checkFiniteInDomain(pool, victim.domain(), "pool");
            ProbeBuilder.Setup setup = checkCommon();
            long[] checked = checkBudgets(budgets);
            if (checked[checked.length - 1] > pool.size(0)) {
                throw new IllegalArgumentException("budget " + checked[checked.length - 1] + " exceeds the pool of "
                        + pool.size(0) + " images (each is queried at most once)");
            }
            Strategy strategy = new Random();
            int[] acts = null;
            if (actions != null) {
                if (actions.length != pool.size(0)) {
                    throw new IllegalArgumentException("actions has " + actions.length + " entries, the pool "
                            + pool.size(0) + " images");
                }
                int numActions = 0;
                for (int i = 0; i < actions.length; i++) {
                    if (actions[i] < 0) {
                        throw new IllegalArgumentException("actions[" + i + "] must be non-negative, found "
                                + actions[i]);
                    }
                    numActions = Math.max(numActions, actions[i] + 1);
                }
                strategy = new Adaptive(reward, learningRate, banditBatch, diversityWindow, numActions);
                acts = actions.clone();
            }
            Config config = new Config(strategy, answers, Arrays.stream(checked).boxed().toList(), seed,
                    name != null ? name : label(strategy));
            return new KnockoffNets(setup, config, pool, acts);
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
