package dev.rampart.attacks.evasion;

import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.Labels;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import dev.rampart.core.memory.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The shared template of Rampart's evasion attacks. {@link #run} is final: it checks the inputs
 * against the model, splits them into batches, calls the algorithm's {@link #perturb} on each,
 * then projects onto the epsilon ball, clips to the domain and measures success and norms. An
 * algorithm writes only its own step. White-box attacks extend {@link GradientAttack};
 * query-only attacks such as {@link Square} extend this class directly.
 *
 * @param <C> the attack's configuration record
 */
public abstract class EvasionTemplate<C extends AttackConfig> implements EvasionAttack {

    /** The model under attack, as queries. */
    private final Classifier target;
    private final C config;

    /**
     * @param config a configuration, valid by construction
     * @throws IllegalArgumentException if the model or the configuration is missing
     */
    protected EvasionTemplate(Classifier model, C config) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.target = model.unchecked(); // run checks the user's input once; iterates stay in the domain
        this.config = config;
    }

    @Override
    public final Norm norm() {
        return config.norm();
    }

    @Override
    public final double epsilon() {
        return config.epsilon();
    }

    /** Examples processed together. */
    public final int batchSize() {
        return config.batchSize();
    }

    /** The seed of every random choice. */
    public final long seed() {
        return config.seed();
    }

    /** The configuration record. */
    @Override
    public final C config() {
        return config;
    }

    /** The model under attack, as queries. */
    protected final Classifier target() {
        return target;
    }

    @Override
    public final EvasionResult run(INDArray x, AttackGoal goal) {
        return run(x, goal, null);
    }

    @Override
    public final EvasionResult run(INDArray x, AttackGoal goal, long[] indices) {
        if (indices != null) {
            if (x != null && x.rank() > 0 && indices.length != x.size(0)) {
                throw new IllegalArgumentException("indices has " + indices.length + " entries for " + x.size(0)
                        + " examples");
            }
            for (int i = 0; i < indices.length; i++) {
                if (indices[i] < 0) {
                    throw new IllegalArgumentException("indices[" + i + "] must be non-negative, found " + indices[i]);
                }
            }
        }
        try (MemoryWorkspace outside = Workspaces.outside()) { // results are ordinary arrays
            return runChecked(x, goal, indices);
        }
    }

    private EvasionResult runChecked(INDArray x, AttackGoal goal, long[] indices) {
        long start = System.nanoTime();
        Classifier model = target;
        Inputs.checkBatch(model, x, "x");
        x = Inputs.asType(model, x, "x"); // the model's data type; the caller's array is never modified
        if (goal == null) {
            throw new IllegalArgumentException("goal must not be null");
        }
        Inputs.checkLabels(goal.labels(), x.size(0), model.numClasses(), "labels");
        if (goal.isTargeted()) {
            Labels.checkRange(goal.targets(), model.numClasses(), "targets");
        }
        InputDomain domain = model.domain();
        Inputs.checkFiniteInDomain(x, domain, "x");

        int n = (int) x.size(0);
        int batchSize = batchSize();
        Norm norm = norm();
        INDArray all = Nd4j.create(x.dataType(), x.shape()); // the result: the one array that leaves the run
        int[] clean = new int[n];
        int[] adv = new int[n];
        double[] norms = new double[n];
        long[] calls = {0};
        for (int from = 0, b = 0; from < n; from += batchSize, b++) {
            int to = Math.min(n, from + batchSize);
            // everything a batch makes lives in the batch's workspace, reused by the next batch and run
            try (MemoryWorkspace ws = Workspaces.scope(Workspaces.BATCH)) {
                INDArray xb = x.get(NDArrayIndex.interval(from, to)).dup('c');
                AttackGoal gb = goal.slice(from, to);
                int[] cleanB = model.predictClasses(xb);
                System.arraycopy(cleanB, 0, clean, from, cleanB.length);
                Batch batch = new Batch(xb, gb, model.numClasses(), cleanB, seed(), indexRange(indices, from, to), calls);
                INDArray xAdv = finish(xb, perturb(batch));
                int[] advB = model.predictClasses(xAdv);
                System.arraycopy(advB, 0, adv, from, advB.length);
                System.arraycopy(norm.perExample(xAdv.sub(xb)), 0, norms, from, to - from);
                all.get(NDArrayIndex.interval(from, to)).assign(xAdv);
            }
        }
        boolean[] success = new boolean[n];
        for (int i = 0; i < n; i++) {
            success[i] = goal.achieved(i, adv[i]);
        }
        return new EvasionResult(name(), config(), seed(), norm, epsilon(), goal, all, success, norms, clean, adv,
                calls[0], (System.nanoTime() - start) / 1e9, Provenance.current());
    }

    /**
     * The algorithm's own output on {@code x} as one batch, before the template projects and clips
     * it: what the contract tests check each attack's step with.
     */
    final INDArray ownStep(INDArray x, AttackGoal goal) {
        try (MemoryWorkspace outside = Workspaces.outside()) {
            INDArray xb = Inputs.asType(target, x, "x").dup('c');
            Batch batch = new Batch(xb, goal, target.numClasses(), target.predictClasses(xb), seed(),
                    indexRange(null, 0, goal.size()), new long[1]);
            return perturb(batch).dup();
        }
    }

    /** Indices {@code from..to-1} of {@code indices}, or the positions themselves when there are none. */
    private static long[] indexRange(long[] indices, int from, int to) {
        long[] out = new long[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = indices == null ? from + i : indices[from + i];
        }
        return out;
    }

    /**
     * The algorithm's step: adversarial candidates for one batch. The template projects and clips
     * the result afterwards, so an algorithm may return points slightly outside.
     */
    protected abstract INDArray perturb(Batch batch);

    /** {@code x + project(xAdv - x)}, clipped to the domain. */
    private INDArray finish(INDArray x, INDArray xAdv) {
        if (epsilon() == Double.POSITIVE_INFINITY) {
            return clip(xAdv.dup());
        }
        INDArray delta = norm().projectInPlace(xAdv.sub(x), epsilon());
        return clip(x.add(delta));
    }

    /** Clips to the model's domain, in place. */
    protected final INDArray clip(INDArray x) {
        return target.domain().clipInPlace(x);
    }

    /** {@code clip(x + project(xAdv - x))}, in place on {@code xAdv}. */
    protected final INDArray projectAndClip(INDArray x, INDArray xAdv) {
        if (epsilon() == Double.POSITIVE_INFINITY) {
            return clip(xAdv);
        }
        if (norm() == Norm.LINF) {
            INDArray[] box = box(x);
            return clamp(xAdv, box[0], box[1]);
        }
        INDArray delta = norm().projectInPlace(xAdv.subi(x), epsilon());
        return clip(delta.addi(x));
    }

    /**
     * The feasible set of an L-inf attack around {@code x}: the epsilon box intersected with the
     * domain, as element-wise bounds {@code {max(x - eps, min), min(x + eps, max)}} (new arrays in
     * the current scope). Projecting onto the ball then clipping to the domain is clamping to them.
     */
    protected final INDArray[] box(INDArray x) {
        InputDomain d = target.domain();
        INDArray lower = Transforms.max(x.sub(epsilon()), d.lower(x.dataType()), false);
        INDArray upper = Transforms.min(x.add(epsilon()), d.upper(x.dataType()), false);
        return new INDArray[] {lower, upper};
    }

    /** Clamps {@code xAdv} between element-wise bounds, in place: two passes; returns {@code xAdv}. */
    protected static INDArray clamp(INDArray xAdv, INDArray lower, INDArray upper) {
        return Transforms.min(Transforms.max(xAdv, lower, false), upper, false);
    }

    /**
     * What every attack's builder sets: the norm, the budget, the batch size and the seed, with
     * the defaults L-inf, 0.1, 256 and 0. Values are checked when the attack is built.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class Builder<B extends Builder<B>> {
        protected Norm norm = Norm.LINF;
        protected double epsilon = 0.1;
        protected int batchSize = 256;
        protected long seed;

        protected Builder() {
        }

        /** The threat model's norm. */
        public B norm(Norm norm) {
            this.norm = norm;
            return self();
        }

        /** The perturbation budget, in {@code norm}. */
        public B epsilon(double epsilon) {
            this.epsilon = epsilon;
            return self();
        }

        /** Examples per forward-backward pass; bounds memory. */
        public B batchSize(int batchSize) {
            this.batchSize = batchSize;
            return self();
        }

        /** The seed of every random choice. */
        public B seed(long seed) {
            this.seed = seed;
            return self();
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }
    }

    /**
     * One batch of a run: the clean inputs, the goal, the clean predictions, and one seed per
     * example derived from the attack's seed and the example's index in the whole evaluation set,
     * so an example's random choices do not depend on the batch or partition it falls in.
     */
    protected static final class Batch {
        private final INDArray x;
        private final AttackGoal goal;
        private final int[] cleanPredictions;
        private final long[] exampleSeeds;
        private final long[] calls;
        private final INDArray lossLabels;

        Batch(INDArray x, AttackGoal goal, int numClasses, int[] cleanPredictions, long seed, long[] indices,
                long[] calls) {
            this.x = x;
            this.lossLabels = Labels.oneHot(goal.lossClasses(), numClasses).castTo(x.dataType());
            this.goal = goal;
            this.cleanPredictions = cleanPredictions;
            this.exampleSeeds = new long[goal.size()];
            for (int i = 0; i < exampleSeeds.length; i++) {
                exampleSeeds[i] = Seeds.derive(seed, indices[i]);
            }
            this.calls = calls;
        }

        /** The clean inputs (do not modify). */
        public INDArray x() {
            return x;
        }

        public AttackGoal goal() {
            return goal;
        }

        public int size() {
            return goal.size();
        }

        public int[] cleanPredictions() {
            return cleanPredictions.clone();
        }

        /** The seed of example {@code i} of the batch. */
        public long exampleSeed(int i) {
            return exampleSeeds[i];
        }

        /** Seeds of examples {@code idx} for the random draw number {@code stream} (a restart, a run). */
        public long[] seeds(int[] idx, long stream) {
            long[] out = new long[idx.length];
            for (int k = 0; k < idx.length; k++) {
                out[k] = Seeds.derive(exampleSeeds[idx[k]], stream);
            }
            return out;
        }

        /** +1 to ascend the loss of the true class (untargeted), -1 to descend the target's. */
        public double direction() {
            return goal.isTargeted() ? -1 : 1;
        }

        /** One-hot labels of the class whose loss the attack follows, for rows {@code idx}. */
        public INDArray lossLabels(Classifier model, int[] idx) {
            return idx.length == size() ? lossLabels : Rows.gather(lossLabels, idx);
        }

        /** Whether prediction {@code predicted} achieves the goal for example {@code i}. */
        public boolean achieved(int i, int predicted) {
            return goal.achieved(i, predicted);
        }

        /** Counts {@code examples} forward-backward passes. */
        public void countGradientCalls(long examples) {
            calls[0] += examples;
        }
    }
}
