package dev.rampart.attacks.evaluation;

import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.GradientAttack;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Robust accuracy by an ordered ensemble of attacks, each run only on the examples every earlier
 * attack failed to fool, each example keeping its worst case: the protocol of AutoAttack (Croce
 * &amp; Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020), implemented in Rampart from the paper. The standard
 * ensemble is APGD-CE, then APGD-T (targeted DLR against the 9 most likely other classes), then
 * the query-only Square attack (5,000 queries), all at 100 iterations, so that a defense that
 * hides its gradients is still attacked. A model without gradients gets Square only.
 *
 * <p>With {@link Builder#maskingChecks(boolean)} on (the default), {@link GradientMaskingChecks}
 * run on a subset and their warnings are part of the report.
 *
 * <pre>{@code
 * RobustnessReport r = AutoAttack.builder(model).norm(Norm.LINF).epsilon(0.1).build().evaluate(x, labels);
 * System.out.println(r.robustAccuracy() + " " + r.warnings());
 * }</pre>
 */
public final class AutoAttack {

    private final Classifier model;
    private final Norm norm;
    private final double epsilon;
    private final List<EvasionAttack> attacks;
    private final boolean maskingChecks;
    private final int checkSamples;
    private final long seed;

    private AutoAttack(Builder b, List<EvasionAttack> attacks) {
        this.model = b.model;
        this.norm = b.norm;
        this.epsilon = b.epsilon;
        this.attacks = List.copyOf(attacks);
        this.maskingChecks = b.maskingChecks;
        this.checkSamples = b.checkSamples;
        this.seed = b.seed;
    }

    /** A builder with the standard ensemble at L-inf 0.1. */
    public static Builder builder(Classifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new Builder(model);
    }

    /** The attacks, in the order they run. */
    public List<EvasionAttack> attacks() {
        return attacks;
    }

    /**
     * Runs the ensemble (and the masking checks, if on) on {@code x}; nothing passed in is modified.
     *
     * @throws IllegalArgumentException if {@code x} or {@code labels} do not fit the model
     */
    public RobustnessReport evaluate(INDArray x, int[] labels) {
        return evaluate(x, labels, null);
    }

    /**
     * Runs the ensemble on examples whose indices in a larger evaluation set are {@code indices}
     * (null: 0, 1, ...): each example's random choices come from its index, so evaluating a set in
     * parts gives each example the result of one run on the whole set.
     *
     * @throws IllegalArgumentException if {@code indices} does not hold one index per example, or as
     *     {@link #evaluate(INDArray, int[])}
     */
    public RobustnessReport evaluate(INDArray x, int[] labels, long[] indices) {
        long start = System.nanoTime();
        // in the model's precision from here on: the worst case is assembled from the attacks'
        // results, which are in it, so that it keeps their budget exactly
        x = Inputs.asType(model, x, "x");
        Inputs.checkLabels(labels, x.size(0), model.numClasses(), "labels");
        Inputs.checkFiniteInDomain(x, model.domain(), "x");
        int n = labels.length;
        if (indices != null && indices.length != n) {
            throw new IllegalArgumentException("indices has " + indices.length + " entries for " + n + " examples");
        }
        int[] clean = model.predictClasses(x);
        boolean[] robust = new boolean[n];
        String[] brokenBy = new String[n];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            robust[i] = clean[i] == labels[i];
            brokenBy[i] = robust[i] ? null : "clean";
            correct += robust[i] ? 1 : 0;
        }
        INDArray worst = x.dup('c');
        List<RobustnessReport.Step> steps = new ArrayList<>();
        for (EvasionAttack attack : attacks) {
            long t0 = System.nanoTime();
            int[] idx = Rows.where(robust, true);
            int broken = 0;
            if (idx.length > 0) {
                long[] global = new long[idx.length];
                for (int k = 0; k < idx.length; k++) {
                    global[k] = indices == null ? idx[k] : indices[idx[k]];
                }
                EvasionResult r = attack.run(Rows.gather(x, idx), AttackGoal.untargeted(Rows.pick(labels, idx)),
                        global);
                List<Integer> fooled = new ArrayList<>();
                for (int k = 0; k < idx.length; k++) {
                    if (r.success()[k]) {
                        robust[idx[k]] = false;
                        brokenBy[idx[k]] = attack.name();
                        fooled.add(k);
                    }
                }
                broken = fooled.size();
                if (broken > 0) {
                    int[] local = fooled.stream().mapToInt(Integer::intValue).toArray();
                    Rows.scatter(worst, Rows.pick(idx, local), Rows.gather(r.adversarial(), local));
                }
            }
            steps.add(new RobustnessReport.Step(attack.name(), !(attack instanceof GradientAttack), idx.length,
                    broken, share(robust), (System.nanoTime() - t0) / 1e9));
        }
        RobustnessReport report = new RobustnessReport(norm, epsilon, n, (double) correct / n, steps, robust,
                brokenBy, worst, List.of(), (System.nanoTime() - start) / 1e9, seed, Provenance.current());
        if (maskingChecks && model instanceof GradientClassifier g) {
            return report.withWarnings(GradientMaskingChecks.builder(g).norm(norm).epsilon(epsilon)
                    .samples(checkSamples).seed(seed).build().run(x, labels, report));
        }
        return report;
    }

    private static double share(boolean[] flags) {
        int c = 0;
        for (boolean b : flags) {
            c += b ? 1 : 0;
        }
        return (double) c / flags.length;
    }


    /** Builds an {@link AutoAttack}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final Classifier model;
        private Norm norm = Norm.LINF;
        private double epsilon = 0.1;
        private int apgdSteps = 100;
        private Integer targetClasses;
        private int squareQueries = 5000;
        private int batchSize = 256;
        private long seed;
        private boolean maskingChecks = true;
        private int checkSamples = 200;
        private List<EvasionAttack> custom;

        private Builder(Classifier model) {
            this.model = model;
        }

        public Builder norm(Norm norm) {
            this.norm = norm;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Iterations of each APGD run (default 100). */
        public Builder apgdSteps(int steps) {
            this.apgdSteps = steps;
            return this;
        }

        /**
         * Target classes of APGD-T, in {@code [0, numClasses - 1]} (0: no APGD-T). Default: 9, or
         * every other class for models with fewer than 10 classes.
         */
        public Builder targetClasses(int k) {
            this.targetClasses = k;
            return this;
        }

        /** Square's query budget per example (default 5,000). */
        public Builder squareQueries(int queries) {
            this.squareQueries = queries;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Run the gradient-masking checks (default true; needs a model with gradients). */
        public Builder maskingChecks(boolean on) {
            this.maskingChecks = on;
            return this;
        }

        /** Examples the masking checks use at most (default 200). */
        public Builder checkSamples(int n) {
            this.checkSamples = n;
            return this;
        }

        /**
         * Replaces the standard ensemble: these attacks run in this order (each must have this
         * evaluator's norm and epsilon).
         */
        public Builder attacks(List<EvasionAttack> attacks) {
            this.custom = attacks == null ? null : List.copyOf(attacks);
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public AutoAttack build() {
            if (norm == null) {
                throw new IllegalArgumentException("norm must not be null");
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be positive and finite, found " + epsilon);
            }
            if (checkSamples <= 0) {
                throw new IllegalArgumentException("checkSamples must be positive, found " + checkSamples);
            }
            if (apgdSteps <= 0) {
                throw new IllegalArgumentException("apgdSteps must be positive, found " + apgdSteps);
            }
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
            }
            if (squareQueries < 0) {
                throw new IllegalArgumentException("squareQueries must not be negative (0: no Square), found "
                        + squareQueries);
            }
            int others = model.numClasses() - 1;
            if (targetClasses != null && (targetClasses < 0 || targetClasses > others)) {
                throw new IllegalArgumentException("targetClasses must be in [0, " + others + "] (the model has "
                        + model.numClasses() + " classes), found " + targetClasses);
            }
            int targets = targetClasses != null ? targetClasses : Math.min(9, others);
            List<EvasionAttack> list;
            if (custom != null) {
                if (custom.isEmpty()) {
                    throw new IllegalArgumentException("attacks must hold at least one attack");
                }
                for (EvasionAttack a : custom) {
                    if (a.norm() != norm || a.epsilon() != epsilon) {
                        throw new IllegalArgumentException("attack " + a.name() + " has " + a.norm() + " epsilon "
                                + a.epsilon() + "; the evaluation is " + norm + " epsilon " + epsilon);
                    }
                }
                list = custom;
            } else {
                list = new ArrayList<>();
                if (model instanceof GradientClassifier) {
                    list.add(Apgd.builder(model).norm(norm).epsilon(epsilon).steps(apgdSteps).batchSize(batchSize)
                            .seed(seed).build());
                    if (targets > 0) {
                        list.add(Apgd.builder(model).norm(norm).epsilon(epsilon).steps(apgdSteps)
                                .loss(Apgd.Loss.DLR).targetClasses(targets)
                                .batchSize(batchSize).seed(seed).build());
                    }
                }
                if (squareQueries > 0) {
                    list.add(Square.builder(model).norm(norm).epsilon(epsilon).queries(squareQueries)
                            .batchSize(batchSize).seed(seed).build());
                }
                if (list.isEmpty()) {
                    throw new IllegalArgumentException("the model has no gradients and squareQueries is 0: "
                            + "no attack left to run");
                }
            }
            return new AutoAttack(this, list);
        }
    }
}
