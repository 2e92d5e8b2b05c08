package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import dev.rampart.core.memory.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Auto-PGD (Croce &amp; Hein, "Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks", ICML 2020): PGD with momentum whose step size needs no tuning.
 * It starts at {@code 2 epsilon}, and at checkpoints {@code w_j = ceil(p_j N)} ({@code p_0 = 0},
 * {@code p_1 = 0.22}, {@code p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)}) it is halved, and
 * the iterate reset to the best point so far, for each example where fewer than
 * {@code rho = 0.75} of the steps since the last checkpoint raised the loss, or where neither the
 * step size nor the best loss changed since then. The update is
 * {@code z = P(x_k + eta * s(grad))}, {@code x_{k+1} = P(x_k + a (z - x_k) + (1 - a)(x_k - x_{k-1}))}
 * with {@code a = 0.75}, {@code s} the steepest-ascent direction of the norm (sign for L-inf).
 *
 * <p>Losses: {@link Loss#CE} (cross-entropy) and {@link Loss#DLR} (the difference-of-logits
 * ratio, invariant to rescaling the logits). With a targeted goal, CE descends the target's
 * cross-entropy and DLR uses the targeted DLR. With {@link Builder#targetClasses(int)}, an
 * untargeted goal is attacked by targeted DLR runs against the {@code k} classes the model ranks
 * highest after the true one, each run only on the examples not yet fooled (APGD-T of the
 * paper). An example stops as soon as its goal is met; the returned point is the one that met it,
 * or else the point of highest loss.
 *
 * <pre>{@code
 * EvasionResult ce = Apgd.builder(model).epsilon(0.1).steps(100).build().run(x, labels);
 * EvasionResult t = Apgd.builder(model).loss(Apgd.Loss.DLR).targetClasses(9).build().run(x, labels);
 * }</pre>
 */
public final class Apgd extends GradientAttack<Apgd.Config> {

    /** Momentum weight {@code a} of the update. */
    public static final double MOMENTUM = 0.75;
    /** Share of loss-raising steps below which the step size is halved. */
    public static final double RHO = 0.75;

    /** The loss APGD ascends. */
    public enum Loss { CE, DLR }

    /**
     * APGD's configuration.
     *
     * @param norm the threat model's norm
     * @param epsilon the budget
     * @param steps gradient evaluations per run ({@code N_iter})
     * @param loss the loss
     * @param restarts runs from independent random starts, each on the examples not yet fooled
     * @param targetClasses for untargeted goals, the number of targeted DLR runs (0: one
     *     untargeted run)
     * @param batchSize examples per forward-backward pass
     * @param seed fixes the random starts
     */
    public record Config(Norm norm, double epsilon, int steps, Loss loss, int restarts, int targetClasses,
            int batchSize, long seed) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, false);
            Check.positive("steps", steps);
            if (loss == null) {
                throw new IllegalArgumentException("loss must not be null");
            }
            Check.positive("restarts", restarts);
            Check.notNegative("targetClasses", targetClasses);
            if (targetClasses > 0 && loss != Loss.DLR) {
                throw new IllegalArgumentException("targetClasses needs loss DLR, found " + loss);
            }
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, steps, loss, restarts, targetClasses, batchSize, seed);
        }
    }


    private Apgd(GradientClassifier model, Config config) {
        super(model, config);
        if (config().targetClasses() >= model.numClasses()) {
            throw new IllegalArgumentException("targetClasses must be below the number of classes ("
                    + model.numClasses() + "), found " + config().targetClasses());
        }
    }

    /** A builder with defaults L-inf, epsilon 0.1, 100 steps, cross-entropy, one run. */
    public static Builder builder(Classifier model) {
        return new Builder(Capabilities.gradients(model, "APGD"));
    }

    @Override
    public String name() {
        String base = config().targetClasses() > 0 ? "APGD-T" : "APGD-" + config().loss();
        return base + "-" + config().steps() + (config().restarts() > 1 ? "x" + config().restarts() : "");
    }


    @Override
    public Apgd withEpsilon(double epsilon) {
        return new Apgd(model, config().withEpsilon(epsilon));
    }

    /** The checkpoints {@code w_j} of {@code steps} iterations, ascending, without 0. */
    static int[] checkpoints(int steps) {
        List<Integer> w = new ArrayList<>();
        double prev = 0;
        double p = 0.22;
        while (p <= 1) {
            int c = (int) Math.ceil(p * steps - 1e-9); // p is a sum of decimals: drop float noise
            if (c > 0 && (w.isEmpty() || c > w.get(w.size() - 1)) && c < steps) {
                w.add(c);
            }
            double next = p + Math.max(p - prev - 0.03, 0.06);
            prev = p;
            p = next;
        }
        return w.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    protected INDArray perturb(Batch batch) {
        int n = batch.size();
        INDArray out = batch.x().dup();
        boolean[] done = new boolean[n];
        AttackGoal goal = batch.goal();
        int[] labels = goal.labels();
        int runs = config().targetClasses() > 0 && !goal.isTargeted() ? config().targetClasses() : 1;
        int[][] ranked = runs > 1 || config().targetClasses() > 0 ? rankedOthers(batch.x(), labels) : null;
        long run = 0;
        for (int r = 0; r < config().restarts(); r++) {
            for (int t = 0; t < runs; t++) {
                int[] idx = Rows.where(done, false);
                if (idx.length == 0) {
                    return out;
                }
                int[] y = Rows.pick(labels, idx);
                int[] targets = goal.isTargeted() ? Rows.pick(goal.targets(), idx)
                        : ranked != null ? column(ranked, idx, t) : null;
                LogitObjective objective = objective(y, targets);
                INDArray x0 = Rows.gather(batch.x(), idx);
                Outcome o = attack(batch, idx, x0, objective, batch.seeds(idx, run++));
                Rows.scatter(out, idx, o.points());
                for (int k = 0; k < idx.length; k++) {
                    done[idx[k]] = o.success()[k];
                }
            }
        }
        return out;
    }

    private LogitObjective objective(int[] labels, int[] targets) {
        if (targets == null) {
            return config().loss() == Loss.DLR ? LogitObjectives.dlr(labels) : LogitObjectives.crossEntropy(labels);
        }
        if (config().loss() == Loss.DLR) {
            return LogitObjectives.targetedDlr(labels, targets);
        }
        LogitObjective ce = LogitObjectives.crossEntropy(targets);
        return z -> {
            LogitObjective.Value v = ce.evaluate(z);
            return new LogitObjective.Value(v.value().neg(), v.gradient().neg());
        };
    }

    /** The end points of one run and whether each met its goal. */
    private record Outcome(INDArray points, boolean[] success) {
    }

    /** One APGD run on examples {@code idx} of the batch (clean inputs {@code x0}). */
    private Outcome attack(Batch batch, int[] idx, INDArray x0, LogitObjective objective, long[] seeds) {
        int n = idx.length;
        double eps = epsilon();
        int[] checkpoints = checkpoints(config().steps());
        INDArray x = x0.dup().addi(norm().randomInBall(x0.shape(), eps, seeds, x0.dataType()));
        projectAndClip(x0, x);
        INDArray[] box = norm() == Norm.LINF ? box(x0) : null; // L-inf: projection and clipping = clamp
        INDArray previous = x.dup();
        INDArray best = x.dup();
        INDArray bestGrad = x.mul(0); // the gradient at each best point; every example improves at k = 0
        INDArray result = x.dup();
        boolean[] success = new boolean[n];
        double[] eta = new double[n];
        Arrays.fill(eta, 2 * eps);
        double[] fBest = new double[n];
        Arrays.fill(fBest, Double.NEGATIVE_INFINITY);
        double[] fPrev = new double[n];
        double[] fBestAtCheck = new double[n];
        Arrays.fill(fBestAtCheck, Double.NaN); // no earlier checkpoint: never "unchanged"
        double[] etaAtCheck = eta.clone();
        int[] increases = new int[n];
        int lastCheck = 0;
        int nextCheck = 0;
        int[] active = Rows.all(n);
        for (int k = 0; k < config().steps() && active.length > 0; k++) {
            try (MemoryWorkspace ws = Workspaces.loop()) { // persistent arrays are made above, updated in place
                boolean whole = active.length == n;
                INDArray xs = whole ? x : Rows.gather(x, active); // the iterate itself when no example has left
                LogitGradient g = model.logitGradient(xs, LogitObjectives.restrict(objective, active, n));
                batch.countGradientCalls(active.length);
                double[] f = g.value().castTo(DataType.DOUBLE).toDoubleVector();
                int[] predicted = Labels.argmax(g.logits());
                INDArray grad = g.gradient();
                boolean[] stop = new boolean[active.length];
                List<Integer> improved = new ArrayList<>();
                for (int j = 0; j < active.length; j++) {
                    int i = active[j];
                    if (k > 0 && f[j] > fPrev[i]) {
                        increases[i]++;
                    }
                    fPrev[i] = f[j];
                    if (f[j] > fBest[i]) {
                        fBest[i] = f[j];
                        improved.add(j);
                    }
                    if (batch.achieved(idx[i], predicted[j])) {
                        success[i] = true;
                        stop[j] = true;
                    }
                }
                int[] imp = improved.stream().mapToInt(Integer::intValue).toArray();
                if (imp.length > 0) {
                    int[] rows = Rows.pick(active, imp);
                    Rows.scatter(best, rows, Rows.gather(xs, imp));
                    Rows.scatter(bestGrad, rows, Rows.gather(grad, imp));
                }
                int[] fooled = Rows.where(stop, true);
                if (fooled.length > 0) {
                    Rows.scatter(result, Rows.pick(active, fooled), Rows.gather(xs, fooled));
                }
                // step-size control at the checkpoints
                if (nextCheck < checkpoints.length && k + 1 == checkpoints[nextCheck]) {
                    int span = checkpoints[nextCheck] - lastCheck;
                    List<Integer> reset = new ArrayList<>();
                    for (int j = 0; j < active.length; j++) {
                        int i = active[j];
                        boolean oscillating = increases[i] < RHO * span;
                        boolean stalled = etaAtCheck[i] == eta[i] && fBestAtCheck[i] == fBest[i];
                        etaAtCheck[i] = eta[i];
                        fBestAtCheck[i] = fBest[i];
                        increases[i] = 0;
                        if (oscillating || stalled) {
                            eta[i] /= 2;
                            reset.add(j);
                        }
                    }
                    lastCheck = checkpoints[nextCheck++];
                    if (!reset.isEmpty()) {
                        int[] rj = reset.stream().mapToInt(Integer::intValue).toArray();
                        int[] rows = Rows.pick(active, rj);
                        Rows.scatter(xs, rj, Rows.gather(best, rows));
                        Rows.scatter(grad, rj, Rows.gather(bestGrad, rows));
                        Rows.scatter(previous, rows, Rows.gather(best, rows));
                    }
                }
                // the momentum step, for the examples that go on
                int[] keep = Rows.where(stop, false);
                if (keep.length == 0) {
                    break;
                }
                int[] rows = Rows.pick(active, keep);
                boolean same = keep.length == active.length;
                boolean all = whole && same;
                INDArray xk = same ? xs : Rows.gather(xs, keep);
                INDArray dir = norm().steepestAscentInPlace(same ? grad : Rows.gather(grad, keep));
                INDArray z = Rows.scaleInPlace(dir, Rows.pick(eta, rows)).addi(xk);
                project(x0, box, rows, all, z);
                // x_{k+1} = x_k + a (z - x_k) + (1 - a)(x_k - x_{k-1}) = a z + (1 - a)(2 x_k - x_{k-1})
                double a = k == 0 ? 1.0 : MOMENTUM;
                INDArray next = z.muli(a).addi(xk.mul(2).subi(all ? previous : Rows.gather(previous, rows))
                        .muli(1 - a));
                project(x0, box, rows, all, next);
                if (all) {
                    previous.assign(x);
                    x.assign(next);
                } else {
                    Rows.scatter(previous, rows, xk);
                    Rows.scatter(x, rows, next);
                }
                active = rows;
            }
        }
        // examples never fooled end at their highest-loss point
        int[] failed = Rows.where(success, false);
        if (failed.length > 0) {
            Rows.scatter(result, failed, Rows.gather(best, failed));
        }
        return new Outcome(result, success);
    }

    /** Projects {@code points} (examples {@code rows} of a run on {@code x0}) onto the feasible set, in place. */
    private void project(INDArray x0, INDArray[] box, int[] rows, boolean all, INDArray points) {
        if (box == null) {
            projectAndClip(all ? x0 : Rows.gather(x0, rows), points);
        } else if (all) {
            clamp(points, box[0], box[1]);
        } else {
            clamp(points, Rows.gather(box[0], rows), Rows.gather(box[1], rows));
        }
    }

    /** For each example, the other classes by decreasing clean logit. */
    private int[][] rankedOthers(INDArray x, int[] labels) {
        double[][] z = model.logits(x).castTo(DataType.DOUBLE).toDoubleMatrix();
        int[][] out = new int[z.length][];
        for (int i = 0; i < z.length; i++) {
            int label = labels[i];
            out[i] = java.util.Arrays.stream(LogitObjectives.descending(z[i])).filter(c -> c != label).toArray();
        }
        return out;
    }

    private static int[] column(int[][] ranked, int[] idx, int t) {
        int[] out = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = ranked[idx[k]][t];
        }
        return out;
    }

    /** Builds an {@link Apgd}; every value is checked in {@link #build()}. */
    public static final class Builder extends GradientAttack.Builder<Builder> {
        private int steps = 100;
        private Loss loss = Loss.CE;
        private int restarts = 1;
        private int targetClasses;

        private Builder(GradientClassifier model) {
            super(model);
        }

        /** Gradient evaluations per run (default 100). */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** The loss (default cross-entropy). */
        public Builder loss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /** Runs from independent random starts on the examples not yet fooled (default 1). */
        public Builder restarts(int restarts) {
            this.restarts = restarts;
            return this;
        }

        /**
         * Attack untargeted goals with targeted DLR runs against the {@code k} most likely other
         * classes (APGD-T; needs {@link Loss#DLR}). Default 0: one untargeted run.
         */
        public Builder targetClasses(int k) {
            this.targetClasses = k;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public Apgd build() {
            return new Apgd(model, new Config(norm, epsilon, steps, loss, restarts, targetClasses, batchSize, seed));
        }
    }
}
