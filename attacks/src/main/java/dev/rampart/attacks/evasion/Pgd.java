package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.LossAndGradient;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Projected Gradient Descent (Madry, Makelov, Schmidt, Tsipras &amp; Vladu, "Towards Deep
 * Learning Models Resistant to Adversarial Attacks", ICLR 2018): from a random point of the
 * epsilon ball, repeat {@code x <- clip(x + project(x + alpha * steepestAscent(grad) - x0))}.
 *
 * <p>With several restarts, each example keeps its worst case over restarts: a successful
 * adversarial beats an unsuccessful one, then a higher loss wins; examples already fooled are not
 * attacked again. With early stopping, an example leaves the loop as soon as the model is fooled
 * on it and keeps the point that fooled it, which saves work (PGD without it may walk on to a
 * point that no longer fools the model). The default step size is
 * {@code 2.5 * epsilon / steps}: 2.5 times the step that would just reach the ball's edge, so
 * that a random start can still cross it. The start ({@link Start}) and the objective
 * ({@link Objective}: the goal's cross-entropy by default, or any objective of the logits, such
 * as TRADES' KL term) can be changed.
 *
 * <pre>{@code
 * Pgd pgd = Pgd.builder(model).norm(Norm.LINF).epsilon(0.1).steps(20).restarts(5).seed(7).build();
 * EvasionResult r = pgd.run(x, labels);
 * }</pre>
 */
public final class Pgd extends GradientAttack<Pgd.Config> {

    /** The default step size, as a multiple of {@code epsilon / steps}. */
    public static final double DEFAULT_STEP_FACTOR = 2.5;

    /**
     * PGD's configuration.
     *
     * @param norm the threat model's norm
     * @param epsilon the budget
     * @param steps iterations per restart
     * @param relativeStepSize the step size divided by epsilon
     * @param restarts independent runs; the worst case per example is kept
     * @param start where each restart begins
     * @param earlyStop stop iterating on an example once the goal is achieved
     * @param batchSize examples per forward-backward pass
     * @param seed fixes the random starts
     */
    public record Config(Norm norm, double epsilon, int steps, double relativeStepSize, int restarts,
            Start start, boolean earlyStop, int batchSize, long seed) implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, false);
            Check.positive("steps", steps);
            Check.positive("relativeStepSize", relativeStepSize);
            Check.positive("restarts", restarts);
            if (start == null) {
                throw new IllegalArgumentException("start must not be null");
            }
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, steps, relativeStepSize, restarts, start, earlyStop, batchSize, seed);
        }

        /** The absolute step size. */
        public double stepSize() {
            return relativeStepSize * epsilon;
        }
    }


    /**
     * Where a restart begins: the clean input ({@link #none()}), a uniform point of the epsilon
     * ball ({@link #uniform()}, Madry et al.), or the clean input plus Gaussian noise of standard
     * deviation {@code scale} per coordinate, projected onto the ball ({@link #gaussian}, as
     * TRADES' inner maximization starts).
     *
     * @param kind the kind of start
     * @param scale the Gaussian standard deviation (0 for the other kinds)
     */
    public record Start(Kind kind, double scale) {

        /** The kinds of start. */
        public enum Kind { NONE, UNIFORM, GAUSSIAN }

        /** @throws IllegalArgumentException if the kind is null or the scale invalid for it */
        public Start {
            if (kind == null) {
                throw new IllegalArgumentException("start kind must not be null");
            }
            if (kind == Kind.GAUSSIAN) {
                Check.positive("start scale", scale);
            } else if (scale != 0) {
                throw new IllegalArgumentException("only a Gaussian start has a scale, found " + scale);
            }
        }

        /** From the clean input. */
        public static Start none() {
            return new Start(Kind.NONE, 0);
        }

        /** From a uniform point of the epsilon ball. */
        public static Start uniform() {
            return new Start(Kind.UNIFORM, 0);
        }

        /** From the clean input plus {@code N(0, sd^2)} noise per coordinate. */
        public static Start gaussian(double sd) {
            return new Start(Kind.GAUSSIAN, sd);
        }
    }

    /**
     * What PGD ascends, when not the cross-entropy of the goal's classes: a {@link LogitObjective}
     * made for each batch from its clean inputs and goal (TRADES ascends {@code KL(p || f(x'))} with
     * {@code p} the clean prediction). Custom objectives run with one restart.
     */
    public interface Objective {

        /** The objective over the batch's examples, in order. */
        LogitObjective of(INDArray x, AttackGoal goal);

        /** A short name for reports. */
        default String name() {
            return "custom";
        }
    }

    /** The objective, or {@code null} for the goal's cross-entropy. */
    private final Objective objective;

    private Pgd(GradientClassifier model, Config config, Objective objective) {
        super(model, config);
        if (objective != null && config.restarts() != 1) {
            throw new IllegalArgumentException("a custom objective runs with one restart, found restarts="
                    + config.restarts());
        }
        this.objective = objective;
    }

    /** A builder with defaults L-inf, epsilon 0.1, 20 steps, one restart, random start. */
    public static Builder builder(Classifier model) {
        return new Builder(Capabilities.gradients(model, "PGD"));
    }

    @Override
    public String name() {
        return "PGD-" + config().steps() + (config().restarts() > 1 ? "x" + config().restarts() : "")
                + (objective == null ? "" : " (" + objective.name() + ")");
    }


    @Override
    public Pgd withEpsilon(double epsilon) {
        return new Pgd(model, config().withEpsilon(epsilon), objective);
    }

    @Override
    protected INDArray perturb(Batch batch) {
        int n = batch.size();
        INDArray best = batch.x().dup();
        boolean[] bestSuccess = new boolean[n];
        double[] bestScore = new double[n];
        Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < config().restarts(); r++) {
            int[] idx = Rows.where(bestSuccess, false);
            if (idx.length == 0) {
                break;
            }
            INDArray x0 = idx.length == n ? batch.x() : Rows.gather(batch.x(), idx);
            INDArray xAdv = ascend(batch, idx, x0, batch.seeds(idx, r));
            if (config().restarts() == 1) {
                return xAdv; // a single run is its own worst case
            }
            keepWorstCase(batch, idx, xAdv, best, bestSuccess, bestScore);
        }
        return best;
    }

    /** One restart on examples {@code idx} (clean inputs {@code x0}); returns their end points. */
    private INDArray ascend(Batch batch, int[] idx, INDArray x0, long[] seeds) {
        INDArray xAdv = x0.dup();
        switch (config().start().kind()) {
            case UNIFORM -> clip(xAdv.addi(norm().randomInBall(x0.shape(), epsilon(), seeds, x0.dataType())));
            case GAUSSIAN -> projectAndClip(x0, xAdv.addi(gaussian(x0, config().start().scale(), seeds)));
            case NONE -> { }
        }
        // the cross-entropy of the goal's classes (descended for targets), or the custom objective
        INDArray labels = objective == null ? batch.lossLabels(model, idx) : null;
        LogitObjective custom = objective == null ? null : objective.of(x0, batch.goal());
        double alpha = config().stepSize() * (objective == null ? batch.direction() : 1);
        INDArray[] box = norm() == Norm.LINF ? box(x0) : null; // L-inf: project and clip = clamp to it
        int[] active = Rows.all(idx.length);
        for (int t = 0; t < config().steps() && active.length > 0; t++) {
            try (MemoryWorkspace ws = Workspaces.loop()) {
                active = step(batch, idx, x0, box, labels, custom, alpha, xAdv, active);
            }
        }
        return xAdv;
    }

    /**
     * One step on the examples {@code active} (positions in the restart), updating {@code xAdv} in
     * place; returns the examples still active (all of them without early stopping). Temporaries
     * live in the loop's workspace.
     */
    private int[] step(Batch batch, int[] idx, INDArray x0, INDArray[] box, INDArray labels, LogitObjective custom,
            double alpha, INDArray xAdv, int[] active) {
        boolean whole = active.length == idx.length;
        INDArray xs = whole ? xAdv : Rows.gather(xAdv, active);
        INDArray grad;
        INDArray scores; // probabilities or logits: their argmax is the prediction
        if (custom == null) {
            LossAndGradient lg = model.lossAndGradient(xs, whole ? labels : Rows.gather(labels, active));
            grad = lg.gradient();
            scores = lg.probabilities();
        } else {
            LogitGradient lg = model.logitGradient(xs, LogitObjectives.restrict(custom, active, idx.length));
            grad = lg.gradient();
            scores = lg.logits();
        }
        batch.countGradientCalls(active.length);
        int[] rows = active;
        if (config().earlyStop()) {
            int[] keep = stillActive(batch, idx, active, Labels.argmax(scores));
            if (keep.length == 0) {
                return keep;
            }
            if (keep.length < active.length) {
                int[] local = positionsIn(active, keep);
                xs = Rows.gather(xs, local);
                grad = Rows.gather(grad, local);
                rows = keep;
                whole = false;
            }
        }
        xs.addi(norm().steepestAscentInPlace(grad).muli(alpha));
        if (box != null) {
            clamp(xs, whole ? box[0] : Rows.gather(box[0], rows), whole ? box[1] : Rows.gather(box[1], rows));
        } else {
            projectAndClip(whole ? x0 : Rows.gather(x0, rows), xs);
        }
        if (!whole) {
            Rows.scatter(xAdv, rows, xs);
        }
        return rows;
    }

    /** {@code N(0, sd^2)} noise of {@code x}'s shape, row {@code i} fixed by {@code seeds[i]}. */
    private static INDArray gaussian(INDArray x, double sd, long[] seeds) {
        float[] values = new float[Math.toIntExact(x.length())];
        int d = values.length / seeds.length;
        for (int row = 0; row < seeds.length; row++) {
            java.util.SplittableRandom rnd = Seeds.random(seeds[row]);
            for (int j = 0; j < d; j++) {
                values[row * d + j] = (float) (sd * Seeds.gaussian(rnd));
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(values, x.shape(), 'c').castTo(x.dataType());
    }

    /** Positions of {@code active} (indices into the restart's examples) whose goal is not met. */
    private static int[] stillActive(Batch batch, int[] idx, int[] active, int[] predicted) {
        int[] keep = new int[active.length];
        int k = 0;
        for (int j = 0; j < active.length; j++) {
            if (!batch.achieved(idx[active[j]], predicted[j])) {
                keep[k++] = active[j];
            }
        }
        return Arrays.copyOf(keep, k);
    }

    /** For each element of {@code subset} (sorted, inside sorted {@code set}), its position in {@code set}. */
    private static int[] positionsIn(int[] set, int[] subset) {
        int[] pos = new int[subset.length];
        for (int i = 0, j = 0; i < subset.length; i++) {
            while (set[j] != subset[i]) {
                j++;
            }
            pos[i] = j;
        }
        return pos;
    }

    /** Replaces an example's best point if this restart fooled the model, or raised the loss more. */
    private void keepWorstCase(Batch batch, int[] idx, INDArray xAdv, INDArray best, boolean[] bestSuccess,
            double[] bestScore) {
        INDArray p = model.predictProbabilities(xAdv);
        int[] predicted = Labels.argmax(p);
        int[] lossClasses = batch.goal().isTargeted() ? batch.goal().targets() : batch.goal().labels();
        double[][] probabilities = p.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
        int[] from = new int[idx.length];
        int[] to = new int[idx.length];
        int improved = 0;
        for (int k = 0; k < idx.length; k++) {
            int i = idx[k];
            boolean success = batch.achieved(i, predicted[k]);
            double crossEntropy = -Math.log(Math.max(probabilities[k][lossClasses[i]], Double.MIN_NORMAL));
            double score = batch.direction() * crossEntropy;
            if ((success && !bestSuccess[i]) || (success == bestSuccess[i] && score > bestScore[i])) {
                bestSuccess[i] = success;
                bestScore[i] = score;
                from[improved] = k;
                to[improved++] = i;
            }
        }
        if (improved > 0) {
            Rows.scatter(best, Arrays.copyOf(to, improved), Rows.gather(xAdv, Arrays.copyOf(from, improved)));
        }
    }

    /** Builds a {@link Pgd}; every value is checked in {@link #build()}. */
    public static final class Builder extends GradientAttack.Builder<Builder> {
        private int steps = 20;
        private Double stepSize;
        private Double relativeStepSize;
        private int restarts = 1;
        private Start start = Start.uniform();
        private Objective objective;
        private boolean earlyStop;

        private Builder(GradientClassifier model) {
            super(model);
        }

        /** Iterations per restart (default 20). */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Absolute step size (default {@code 2.5 * epsilon / steps}). */
        public Builder stepSize(double stepSize) {
            this.stepSize = stepSize;
            this.relativeStepSize = null;
            return this;
        }

        /** Step size as a multiple of epsilon; kept when {@link Pgd#withEpsilon} changes epsilon. */
        public Builder relativeStepSize(double relativeStepSize) {
            this.relativeStepSize = relativeStepSize;
            this.stepSize = null;
            return this;
        }

        /** Independent runs; each example keeps its worst case (default 1). */
        public Builder restarts(int restarts) {
            this.restarts = restarts;
            return this;
        }

        /** Start from a uniform point of the ball (default true). */
        public Builder randomStart(boolean randomStart) {
            this.start = randomStart ? Start.uniform() : Start.none();
            return this;
        }

        /** Where each restart begins (default {@link Start#uniform()}). */
        public Builder start(Start start) {
            this.start = start;
            return this;
        }

        /**
         * Ascend {@code objective} instead of the goal's cross-entropy (default: cross-entropy; a
         * custom objective runs with one restart).
         */
        public Builder objective(Objective objective) {
            this.objective = objective;
            return this;
        }

        /** Stop iterating on an example once the goal is achieved (default false). */
        public Builder earlyStop(boolean earlyStop) {
            this.earlyStop = earlyStop;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public Pgd build() {
            Check.positive("epsilon", epsilon);
            Check.positive("steps", steps);
            double relative;
            if (stepSize != null) {
                Check.positive("stepSize", stepSize);
                relative = stepSize / epsilon;
            } else if (relativeStepSize != null) {
                Check.positive("relativeStepSize", relativeStepSize);
                relative = relativeStepSize;
            } else {
                relative = DEFAULT_STEP_FACTOR / steps;
            }
            return new Pgd(model, new Config(norm, epsilon, steps, relative, restarts, start, earlyStop,
                    batchSize, seed), objective);
        }
    }
}
