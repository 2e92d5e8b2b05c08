package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.AdamOptimizer;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.norm.Norm;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import dev.rampart.core.memory.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Carlini-Wagner L2 attack (Carlini &amp; Wagner, "Towards evaluating the robustness of
 * neural networks", IEEE S&amp;P 2017): minimizes {@code ||x' - x||_2^2 + c f(x')} with Adam over
 * {@code w}, where {@code x' = lo + (hi - lo)(tanh(w) + 1) / 2} keeps {@code x'} inside the domain
 * without clipping, and {@code f} is the margin {@code max(z_y - max_{i != y} z_i, -kappa)}
 * (targeted: {@code max(max_{i != t} z_i - z_t, -kappa)}). A binary search per example over
 * {@code c} finds the smallest perturbation that meets the goal: {@code c} is lowered after a
 * success and raised (times 10 until an upper bound is known) after a failure. Each search step
 * restarts from the clean input those examples it has already fooled; an example never fooled yet
 * goes on from where the previous step left it, so that an example far from the boundary (pixels
 * saturated at the domain's ends move slowly in {@code w}) gets every step's iterations, not one
 * step's. An example's search step stops early when its own objective has improved by less than
 * 0.01% over a tenth of the iterations, so that its result does not depend on the other examples
 * of its batch. A minimum-norm attack: by default unbounded.
 *
 * <pre>{@code
 * EvasionResult r = CarliniWagner.builder(model).binarySearchSteps(9).maxIterations(100).build().run(x, labels);
 * double[] l2 = r.perturbationNorm();   // smallest adversarial perturbation found per example
 * }</pre>
 */
public final class CarliniWagner extends MinimumNormAttack<CarliniWagner.Config> {

    /**
     * C&amp;W's configuration.
     *
     * @param epsilon the budget ({@code Infinity}: none)
     * @param kappa the confidence margin
     * @param binarySearchSteps searches over the constant {@code c}
     * @param maxIterations Adam steps per search step
     * @param learningRate Adam's learning rate
     * @param initialConstant the first {@code c}
     * @param batchSize examples per forward-backward pass
     * @param seed unused by the algorithm (deterministic), kept in results
     */
    public record Config(double epsilon, double kappa, int binarySearchSteps, int maxIterations, double learningRate,
            double initialConstant, int batchSize, long seed) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(Norm.L2, epsilon, batchSize, true);
            Check.finiteNotNegative("kappa", kappa);
            Check.positive("binarySearchSteps", binarySearchSteps);
            Check.positive("maxIterations", maxIterations);
            Check.positive("learningRate", learningRate);
            Check.positive("initialConstant", initialConstant);
        }

        /** Always {@link Norm#L2}. */
        @Override
        public Norm norm() {
            return Norm.L2;
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(epsilon, kappa, binarySearchSteps, maxIterations, learningRate, initialConstant,
                    batchSize, seed);
        }
    }

    private static final double BOUND = 1e10;
    private static final double ATANH_LIMIT = 1 - 1e-6;


    private CarliniWagner(GradientClassifier model, Config config) {
        super(model, config);
    }

    /** A builder with defaults kappa 0, 9 search steps, 100 iterations, rate 0.01, c = 0.01, unbounded. */
    public static Builder builder(Classifier model) {
        return new Builder(Capabilities.gradients(model, "Carlini-Wagner"));
    }

    @Override
    public String name() {
        return "CW-L2";
    }


    @Override
    public CarliniWagner withEpsilon(double epsilon) {
        return new CarliniWagner(model, config().withEpsilon(epsilon));
    }

    @Override
    protected INDArray perturb(Batch batch) {
        INDArray x = batch.x();
        int n = batch.size();
        InputDomain d = model.domain();
        double lo = d.min();
        double span = d.max() - d.min();
        AttackGoal goal = batch.goal();
        LogitObjective margin = goal.isTargeted() ? LogitObjectives.targetedMargin(goal.targets(), config().kappa())
                : LogitObjectives.margin(goal.labels(), config().kappa());
        INDArray w0 = Transforms.atanh(Transforms.min(Transforms.max(x.sub(lo).divi(span).muli(2).subi(1),
                -ATANH_LIMIT, false), ATANH_LIMIT, false), false);
        double[] c = new double[n];
        Arrays.fill(c, config().initialConstant());
        double[] lower = new double[n];
        double[] upper = new double[n];
        Arrays.fill(upper, BOUND);
        double[] bestSq = new double[n];
        Arrays.fill(bestSq, Double.POSITIVE_INFINITY);
        INDArray best = x.dup();
        int patience = Math.max(1, config().maxIterations() / 10);
        INDArray w = w0.dup();
        for (int step = 0; step < config().binarySearchSteps(); step++) {
            boolean[] found = new boolean[n];
            // examples already fooled search again from the clean input; the others go on from where
            // the last step left them, so that high-margin examples are not capped at one step's reach
            int[] fresh = Rows.where(bestFound(bestSq), true);
            if (fresh.length > 0) {
                Rows.scatter(w, fresh, Rows.gather(w0, fresh));
            }
            AdamOptimizer adam = new AdamOptimizer(config().learningRate(), w.shape(), w.dataType());
            // each example stops on its own objective, so that a result never depends on the batch
            double[] previous = new double[n];
            Arrays.fill(previous, Double.POSITIVE_INFINITY);
            boolean[] running = new boolean[n];
            Arrays.fill(running, true);
            for (int it = 0; it < config().maxIterations(); it++) {
                int[] act = Rows.where(running, true);
                if (act.length == 0) {
                    break;
                }
                boolean all = act.length == n;
                try (MemoryWorkspace ws = Workspaces.loop()) { // w, m, v and best are updated in place
                    INDArray wa = all ? w : Rows.gather(w, act);
                    INDArray xa = all ? x : Rows.gather(x, act);
                    INDArray t = Transforms.tanh(wa, true);
                    INDArray xAdv = t.add(1).muli(span / 2).addi(lo);
                    LogitGradient g = model.logitGradient(xAdv, LogitObjectives.restrict(margin, act, n));
                    batch.countGradientCalls(act.length);
                    INDArray delta = xAdv.sub(xa);
                    double[] sq = squaredNorms(delta);
                    double[] f = g.value().castTo(DataType.DOUBLE).toDoubleVector();
                    int[] predicted = Labels.argmax(g.logits());
                    double[] ca = new double[act.length];
                    boolean check = it % patience == patience - 1;
                    java.util.List<Integer> better = new java.util.ArrayList<>();
                    for (int k = 0; k < act.length; k++) {
                        int i = act[k];
                        ca[k] = c[i];
                        double objective = sq[k] + c[i] * f[k];
                        boolean met = batch.achieved(i, predicted[k]) && f[k] <= -config().kappa() + 1e-12;
                        if (met) {
                            found[i] = true;
                            if (sq[k] < bestSq[i]) {
                                bestSq[i] = sq[k];
                                better.add(k);
                            }
                        }
                        if (check) {
                            running[i] = objective <= previous[i] * 0.9999;
                            previous[i] = objective;
                        }
                    }
                    if (!better.isEmpty()) {
                        int[] local = better.stream().mapToInt(Integer::intValue).toArray();
                        Rows.scatter(best, Rows.pick(act, local), Rows.gather(xAdv, local));
                    }
                    // d/dx' of ||x' - x||^2 + c f, then through x'(w)
                    INDArray gradX = Rows.scaleInPlace(g.gradient(), ca).addi(delta.muli(2));
                    INDArray gradW = gradX.muli(t.mul(t).rsubi(1).muli(span / 2));
                    if (all) {
                        w.subi(adam.update(gradW));
                    } else {
                        // examples that stopped get a zero gradient; their variables are left as they are
                        INDArray full = Nd4j.zeros(w.dataType(), w.shape());
                        Rows.scatter(full, act, gradW);
                        Rows.scatter(w, act, wa.subi(Rows.gather(adam.update(full), act)));
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (found[i]) {
                    upper[i] = Math.min(upper[i], c[i]);
                    c[i] = (lower[i] + upper[i]) / 2;
                } else {
                    lower[i] = Math.max(lower[i], c[i]);
                    c[i] = upper[i] < BOUND ? (lower[i] + upper[i]) / 2 : c[i] * 10;
                }
            }
        }
        return best;
    }

    /** Whether each example has been fooled in an earlier search step. */
    private static boolean[] bestFound(double[] bestSq) {
        boolean[] out = new boolean[bestSq.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = bestSq[i] < Double.POSITIVE_INFINITY;
        }
        return out;
    }

    private static double[] squaredNorms(INDArray delta) {
        INDArray flat = delta.reshape(delta.size(0), -1);
        return flat.mul(flat).sum(1).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** Builds a {@link CarliniWagner}; every value is checked in {@link #build()}. */
    public static final class Builder extends GradientAttack.Builder<Builder> {
        private double kappa;
        private int binarySearchSteps = 9;
        private int maxIterations = 100;
        private double learningRate = 0.01;
        private double initialConstant = 0.01;

        private Builder(GradientClassifier model) {
            super(model);
            this.norm = Norm.L2;
            this.epsilon = Double.POSITIVE_INFINITY;
        }

        /** Confidence margin {@code kappa} (default 0). */
        public Builder kappa(double kappa) {
            this.kappa = kappa;
            return this;
        }

        /** Searches over the constant (default 9). */
        public Builder binarySearchSteps(int steps) {
            this.binarySearchSteps = steps;
            return this;
        }

        /** Adam steps per search step (default 100). */
        public Builder maxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Adam's learning rate (default 0.01). */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** The first constant {@code c} (default 0.01). */
        public Builder initialConstant(double initialConstant) {
            this.initialConstant = initialConstant;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value, or if the norm is not L2 */
        public CarliniWagner build() {
            if (norm != Norm.L2) {
                throw new IllegalArgumentException("Carlini-Wagner is an L2 attack; norm must be L2, found " + norm);
            }
            return new CarliniWagner(model, new Config(epsilon, kappa, binarySearchSteps, maxIterations, learningRate,
                    initialConstant, batchSize, seed));
        }
    }
}
