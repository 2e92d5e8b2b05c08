package dev.rampart.defenses.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.check.Check;
import dev.rampart.core.loss.AdamOptimizer;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.report.Provenance;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.LossAndGradient;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Neural Cleanse (Wang, Yao, Shan, Li, Viswanath, Zheng &amp; Zhao, "Neural Cleanse: identifying and
 * mitigating backdoor attacks in neural networks", IEEE S&amp;P 2019): for every class {@code t}, the
 * smallest trigger that sends clean inputs to {@code t} is reverse-engineered, a mask {@code m}
 * ({@code [1, h, w]}, in [0, 1]) and a pattern {@code p} ({@code [c, h, w]}, in the input domain)
 * applied as {@code (1 - m) x + m p}, minimizing the cross-entropy towards {@code t} plus
 * {@code lambda |m|_1} with Adam, through the model's input gradients. A backdoor's target class
 * needs a far smaller mask than the others: classes whose mask L1 norm is below the median with an
 * anomaly index (distance to the median over 1.4826 times the median absolute deviation) above 2
 * are flagged. Unlike the paper, the index is taken on the logarithms of the norms: their spread
 * between classes is multiplicative (a 3-epoch CNN of full Fashion-MNIST needs masks of 110-150
 * pixels for sneakers and boots, 50-60 for shirts), and on the raw norms the large masks widen the
 * deviation enough to hide a backdoor (a 16-pixel BadNets trigger at index 1.97 on raw norms, 4.36 on
 * their logarithms; BENCHMARKS.md). {@link #unlearn} then fine-tunes the model on clean data of which a share carries
 * the reversed trigger with the correct labels.
 *
 * <p>{@code lambda} follows the paper's schedule: 0 until the trigger reaches the attack-success
 * target, then {@code initialLambda}, multiplied by 1.5 after {@code patience} steps above the
 * target and divided by 1.5^1.5 after {@code patience} steps below; the smallest mask that reached
 * the target is kept.
 *
 * <pre>{@code
 * NeuralCleanse.Report r = NeuralCleanse.builder(model).steps(300).build().scan(cleanData);
 * r.flagged();                                    // e.g. [0]
 * new NeuralCleanse.Unlearning(0.2, 1, 64, 42).apply(model, cleanData, r.triggers().get(0));
 * }</pre>
 */
public final class NeuralCleanse {

    /**
     * The mask norm below which a trigger counts as empty (its logarithm is taken at this value):
     * a class every clean input already goes to needs no trigger at all.
     */
    static final double SMALLEST_NORM = 1e-3;

    /** The consistency constant of the median absolute deviation for normal data. */
    public static final double MAD_CONSISTENCY = 1.4826;

    /**
     * A reversed trigger.
     *
     * @param label the class it sends inputs to
     * @param mask {@code [1, h, w]} in [0, 1]
     * @param pattern {@code [c, h, w]} in the input domain
     * @param maskL1 the mask's L1 norm
     * @param attackSuccess share of the clean batch it sent to {@code label} (the best mask's last)
     */
    public record Trigger(int label, INDArray mask, INDArray pattern, double maskL1, double attackSuccess) {

        /**
         * @throws IllegalArgumentException naming the component: a mask that is not {@code [1, h, w]}
         *     in [0, 1], a pattern that is not {@code [c, h, w]} of the mask's size, a non-finite
         *     value
         */
        public Trigger {
            if (mask == null || pattern == null) {
                throw new IllegalArgumentException("mask and pattern must not be null");
            }
            if (mask.rank() != 3 || mask.size(0) != 1) {
                throw new IllegalArgumentException("mask must be [1, h, w], found " + Arrays.toString(mask.shape()));
            }
            if (pattern.rank() != 3 || pattern.size(1) != mask.size(1) || pattern.size(2) != mask.size(2)) {
                throw new IllegalArgumentException("pattern must be [c, " + mask.size(1) + ", " + mask.size(2)
                        + "] like the mask, found " + Arrays.toString(pattern.shape()));
            }
            Check.finite(mask, "mask");
            Check.finite(pattern, "pattern");
            if (mask.minNumber().doubleValue() < 0 || mask.maxNumber().doubleValue() > 1) {
                throw new IllegalArgumentException("mask values must be in [0, 1], found [" + mask.minNumber() + ", "
                        + mask.maxNumber() + "]");
            }
            Check.finite("maskL1", maskL1);
            Check.inRange("attackSuccess", attackSuccess, 0, 1);
        }

        /** {@code x} with this trigger applied, as a new array. */
        public INDArray apply(INDArray x) {
            if (x == null || x.rank() != 4 || x.size(1) != pattern.size(0) || x.size(2) != mask.size(1)
                    || x.size(3) != mask.size(2)) {
                throw new IllegalArgumentException("x must be [n, " + pattern.size(0) + ", " + mask.size(1) + ", "
                        + mask.size(2) + "], found " + (x == null ? "null" : Arrays.toString(x.shape())));
            }
            return NeuralCleanse.apply(x, mask, pattern);
        }
    }

    /** {@code (1 - m) x + m p} for every example of {@code x}, as a new array. */
    private static INDArray apply(INDArray x, INDArray mask, INDArray pattern) {
        long n = x.size(0);
        INDArray m = row(mask.castTo(x.dataType()), pattern.size(0));
        INDArray p = pattern.castTo(x.dataType()).reshape(1, m.length());
        // row-vector arithmetic on [n, c*h*w]: no copy of the mask or the pattern per example
        return x.dup('c').reshape(n, m.length()).muliRowVector(m.rsub(1)).addiRowVector(p.mul(m)).reshape(x.shape());
    }

    /** The mask {@code [1, h, w]} repeated over {@code channels}, as one row {@code [1, c*h*w]}. */
    private static INDArray row(INDArray mask, long channels) {
        return mask.broadcast(channels, mask.size(1), mask.size(2)).dup('c').reshape(1, channels * mask.length());
    }

    /**
     * What the scan found.
     *
     * @param triggers one per class
     * @param anomalyIndex per class
     * @param flagged classes judged backdoor targets
     * @param config the scan's configuration (and so its seed)
     * @param provenance versions and backend
     */
    public record Report(List<Trigger> triggers, double[] anomalyIndex, int[] flagged, Config config,
            Provenance provenance) {
        public Report {
            Check.finite(anomalyIndex, "anomalyIndex");
            Check.notNull("config", config);
            triggers = List.copyOf(triggers);
            anomalyIndex = anomalyIndex.clone();
            flagged = flagged.clone();
        }

        @Override
        public double[] anomalyIndex() {
            return anomalyIndex.clone();
        }

        @Override
        public int[] flagged() {
            return flagged.clone();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (Trigger t : triggers) {
                b.append(String.format(Locale.ROOT, "class %d: mask L1 %.1f, anomaly index %.2f, attack success %.2f%n",
                        t.label(), t.maskL1(), anomalyIndex[t.label()], t.attackSuccess()));
            }
            return b.append("flagged ").append(Arrays.toString(flagged)).toString();
        }
    }

    /**
     * Neural Cleanse's configuration.
     *
     * @param steps optimization steps per class
     * @param batchSize clean images per step
     * @param learningRate Adam's step size on the mask and pattern logits
     * @param initialLambda the mask norm's weight once the trigger first works
     * @param successTarget the attack success a trigger must reach, in (0, 1]
     * @param patience steps above or below the target before lambda changes
     * @param anomalyThreshold the anomaly index above which a class is flagged
     * @param seed fixes the batches drawn
     */
    public record Config(int steps, int batchSize, double learningRate, double initialLambda, double successTarget,
            int patience, double anomalyThreshold, long seed) {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.positive("steps", steps);
            Check.positive("batchSize", batchSize);
            Check.positive("learningRate", learningRate);
            Check.positive("initialLambda", initialLambda);
            Check.shareUpToOne("successTarget", successTarget);
            Check.positive("patience", patience);
            Check.positive("anomalyThreshold", anomalyThreshold);
        }
    }

    /**
     * Mitigation by unlearning: fine-tuning on clean data of which a share of each batch carries a
     * reversed trigger with the correct labels.
     *
     * @param share the share of each batch that carries the trigger, in (0, 1)
     * @param epochs passes over the clean data
     * @param batchSize examples per step
     * @param seed fixes the batches and which examples carry the trigger
     */
    public record Unlearning(double share, int epochs, int batchSize, long seed) {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Unlearning {
            Check.share("share", share);
            Check.positive("epochs", epochs);
            Check.positive("batchSize", batchSize);
        }

        /**
         * Fine-tunes {@code model} in place on {@code clean}, a share of each batch carrying
         * {@code trigger} with the correct labels.
         *
         * @return {@code model}
         * @throws IllegalArgumentException if the data or the trigger do not fit the model
         */
        public <M extends TrainableModel> M apply(M model, LabeledData clean, Trigger trigger) {
            return unlearn(model, clean, trigger, this);
        }
    }

    private final GradientClassifier model;
    private final Config config;

    private NeuralCleanse(GradientClassifier model, Config config) {
        this.model = model;
        this.config = config;
    }

    public Config config() {
        return config;
    }

    public static Builder builder(GradientClassifier model) {
        return new Builder(model);
    }

    /**
     * Reverse-engineers a trigger for every class from {@code clean} data and flags outliers.
     *
     * @throws IllegalArgumentException if the inputs are not channels-first images of the model
     */
    public Report scan(LabeledData clean) {
        if (clean == null) {
            throw new IllegalArgumentException("clean must not be null");
        }
        long[] shape = model.inputShape();
        if (shape.length != 3) {
            throw new IllegalArgumentException("Neural Cleanse needs channels-first image inputs [c, h, w], the model"
                    + " takes " + Arrays.toString(shape));
        }
        Inputs.checkData(model, clean, "clean");
        List<Trigger> triggers = new ArrayList<>();
        for (int t = 0; t < model.numClasses(); t++) {
            triggers.add(reverse(clean, t, shape));
        }
        double[] norms = triggers.stream().mapToDouble(Trigger::maskL1).toArray();
        double[] index = anomalyIndex(norms);
        double median = new Median().evaluate(norms);
        List<Integer> flagged = new ArrayList<>();
        for (int i = 0; i < norms.length; i++) {
            // only a small mask is evidence of a trigger
            if (norms[i] < median && index[i] > config.anomalyThreshold()) {
                flagged.add(i);
            }
        }
        return new Report(triggers, index, flagged.stream().mapToInt(Integer::intValue).toArray(), config,
                Provenance.current());
    }

    /**
     * The anomaly index of each class's mask norm: the distance of its logarithm from the median of the log norms,
     * in units of 1.4826 times their median absolute deviation (0 for every class when that deviation is 0).
     *
     * @param maskNorms the reversed masks' L1 norms, one per class, each finite and non-negative
     * @return the index per class, a new array
     */
    static double[] anomalyIndex(double[] maskNorms) {
        Check.finite(maskNorms, "maskNorms");
        // on the logarithms of the norms: their spread is multiplicative (see the class comment)
        double[] logs = new double[maskNorms.length];
        for (int i = 0; i < logs.length; i++) {
            if (maskNorms[i] < 0) {
                throw new IllegalArgumentException("maskNorms[" + i + "] must be >= 0, got " + maskNorms[i]);
            }
            logs[i] = Math.log(Math.max(maskNorms[i], SMALLEST_NORM));
        }
        double median = new Median().evaluate(logs);
        double[] dev = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            dev[i] = Math.abs(logs[i] - median);
        }
        double mad = MAD_CONSISTENCY * new Median().evaluate(dev);
        double[] index = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            index[i] = mad == 0 ? 0 : dev[i] / mad;
        }
        return index;
    }

    private Trigger reverse(LabeledData clean, int target, long[] shape) {
        int c = (int) shape[0];
        int h = (int) shape[1];
        int w = (int) shape[2];
        InputDomain d = model.domain();
        DataType type = model.dataType();
        SplittableRandom rnd = Seeds.random(Seeds.derive(config.seed(), target));
        INDArray maskRaw = Nd4j.zeros(DataType.DOUBLE, 1, h, w);
        INDArray patternRaw = Nd4j.zeros(DataType.DOUBLE, c, h, w);
        AdamOptimizer adamMask = new AdamOptimizer(config.learningRate(), maskRaw.shape(), DataType.DOUBLE);
        AdamOptimizer adamPattern = new AdamOptimizer(config.learningRate(), patternRaw.shape(), DataType.DOUBLE);
        double lambda = 0;
        int above = 0;
        int below = 0;
        double bestL1 = Double.POSITIVE_INFINITY;
        INDArray bestMask = null;
        INDArray bestPattern = null;
        double bestSuccess = 0;
        int[] others = java.util.stream.IntStream.range(0, clean.size()).filter(i -> clean.labels()[i] != target)
                .toArray();
        if (others.length == 0) {
            throw new IllegalArgumentException("clean has no example outside class " + target);
        }
        GradientClassifier fast = model.unchecked();
        for (int s = 0; s < config.steps(); s++) {
            try (MemoryWorkspace ws = Workspaces.loop()) { // the logits and the best mask are updated in place
                int[] idx = new int[Math.min(config.batchSize(), others.length)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = others[rnd.nextInt(others.length)];
                }
                INDArray x = Rows.gather(clean.features(), idx).castTo(DataType.DOUBLE);
                INDArray m = Transforms.sigmoid(maskRaw, true);
                INDArray sp = Transforms.sigmoid(patternRaw, true);
                INDArray p = sp.mul(d.max() - d.min()).addi(d.min());
                INDArray xt = d.clipInPlace(apply(x, m, p));
                int[] y = new int[idx.length];
                Arrays.fill(y, target);
                LossAndGradient lg = fast.lossAndGradient(xt.castTo(type), Labels.oneHot(y, model.numClasses())
                        .castTo(type));
                if (!Double.isFinite(lg.gradient().sumNumber().doubleValue())) {
                    throw new IllegalStateException("the model's gradient towards class " + target + " holds NaN or an"
                            + " infinite value at step " + s + ": check the model's weights");
                }
                int[] pred = Labels.argmax(lg.probabilities());
                double success = Arrays.stream(pred).filter(k -> k == target).count() / (double) pred.length;
                double l1 = m.sumNumber().doubleValue();
                if (success >= config.successTarget() && l1 < bestL1) {
                    bestL1 = l1;
                    bestSuccess = success;
                    if (bestMask == null) {
                        try (MemoryWorkspace outside = Workspaces.outside()) {
                            bestMask = m.dup();
                            bestPattern = p.dup();
                        }
                    } else {
                        bestMask.assign(m);
                        bestPattern.assign(p);
                    }
                }
                // the paper's lambda schedule
                if (lambda == 0 && success >= config.successTarget()) {
                    lambda = config.initialLambda();
                } else if (lambda > 0) {
                    above = success >= config.successTarget() ? above + 1 : 0;
                    below = success >= config.successTarget() ? 0 : below + 1;
                    if (above >= config.patience()) {
                        lambda *= 1.5;
                        above = 0;
                    } else if (below >= config.patience()) {
                        lambda /= Math.pow(1.5, 1.5);
                        below = 0;
                    }
                }
                // of the mean cross-entropy, as rows [n, c*h*w]; the triggered input is (1 - m) x + m p, so
                // d/dm sums g (p - x) over examples and channels, and d/dp sums g m over examples
                long chw = (long) c * h * w;
                INDArray g = lg.gradient().castTo(DataType.DOUBLE).divi(idx.length).reshape(idx.length, chw);
                INDArray gSum = g.sum(true, 0);
                INDArray gx = g.muli(x.reshape(idx.length, chw)).sum(true, 0);
                INDArray gMask = gSum.mul(p.reshape(1, chw)).subi(gx).reshape(c, h, w).sum(true, 0).reshape(1, h, w)
                        .addi(lambda); // d|m|_1/dm = 1 (m > 0)
                gMask.muli(m.mul(m.rsub(1)));
                INDArray gPattern = gSum.muli(row(m, c)).reshape(c, h, w)
                        .muli(sp.mul(sp.rsub(1)).muli(d.max() - d.min()));
                maskRaw.subi(adamMask.update(gMask));
                patternRaw.subi(adamPattern.update(gPattern));
            }
        }
        if (bestMask == null) { // never reached the target: keep the last, with its success
            INDArray m = Transforms.sigmoid(maskRaw, true);
            INDArray p = Transforms.sigmoid(patternRaw, true).muli(d.max() - d.min()).addi(d.min());
            return new Trigger(target, m, p, m.sumNumber().doubleValue(), bestSuccess);
        }
        return new Trigger(target, bestMask, bestPattern, bestL1, bestSuccess);
    }

    private static <M extends TrainableModel> M unlearn(M model, LabeledData clean, Trigger trigger, Unlearning u) {
        Check.notNull("model", model);
        Check.notNull("trigger", trigger);
        Inputs.checkData(model, clean, "clean");
        long[] shape = model.inputShape();
        if (shape.length != 3 || trigger.pattern().size(0) != shape[0] || trigger.mask().size(1) != shape[1]
                || trigger.mask().size(2) != shape[2]) {
            throw new IllegalArgumentException("trigger (pattern " + Arrays.toString(trigger.pattern().shape())
                    + ") does not fit the model's inputs " + Arrays.toString(shape));
        }
        dev.rampart.core.data.ShuffledBatches batches = new dev.rampart.core.data.ShuffledBatches(clean, u.batchSize(),
                u.seed());
        SplittableRandom rnd = Seeds.random(Seeds.derive(u.seed(), 1));
        for (int e = 0; e < u.epochs(); e++) {
            batches.reset();
            while (batches.hasNext()) {
                org.nd4j.linalg.dataset.DataSet b = batches.next();
                INDArray x = b.getFeatures().dup();
                boolean[] stamp = new boolean[(int) x.size(0)];
                for (int i = 0; i < stamp.length; i++) {
                    stamp[i] = rnd.nextDouble() < u.share();
                }
                int[] idx = Rows.where(stamp, true);
                if (idx.length > 0) {
                    INDArray stamped = model.domain().clipInPlace(trigger.apply(Rows.gather(x, idx).castTo(
                            DataType.DOUBLE)));
                    Rows.scatter(x, idx, stamped.castTo(x.dataType()));
                }
                model.fit(x, b.getLabels());
            }
        }
        return model;
    }

    /** Builds a {@link NeuralCleanse}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final GradientClassifier model;
        private int steps = 300;
        private int batchSize = 64;
        private double learningRate = 0.1;
        private double initialLambda = 1e-3;
        private double successTarget = 0.99;
        private int patience = 5;
        private double anomalyThreshold = 2;
        private long seed;

        private Builder(GradientClassifier model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** Optimization steps per class (default 300). */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Clean images per step (default 64). */
        public Builder batchSize(int b) {
            this.batchSize = b;
            return this;
        }

        /** Adam's step size on the mask and pattern logits (default 0.1). */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** The mask norm's weight once the trigger first works (default 1e-3). */
        public Builder initialLambda(double lambda) {
            this.initialLambda = lambda;
            return this;
        }

        /** The attack success a trigger must reach (default 0.99). */
        public Builder successTarget(double s) {
            this.successTarget = s;
            return this;
        }

        /** The anomaly index above which a class is flagged (default 2). */
        public Builder anomalyThreshold(double t) {
            this.anomalyThreshold = t;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public NeuralCleanse build() {
            return new NeuralCleanse(model, new Config(steps, batchSize, learningRate, initialLambda, successTarget,
                    patience, anomalyThreshold, seed));
        }
    }
}
