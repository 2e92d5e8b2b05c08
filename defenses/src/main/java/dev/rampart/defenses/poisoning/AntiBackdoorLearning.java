package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Anti-Backdoor Learning (Li, Lyu, Koren, Lyu, Li and Ma, "Anti-Backdoor Learning: Training Clean
 * Models on Poisoned Data", NeurIPS 2021): a training-time defense that needs no separate detector
 * and no trusted data. Backdoored examples are learned much faster than clean ones, so:
 * <ol>
 *   <li><b>isolation</b>: for the first epochs the model trains with local gradient ascent (LGA): a
 *       batch whose mean cross-entropy fell below {@code gamma} takes a step up instead of down,
 *       which holds clean examples near {@code gamma} while the poison keeps falling;</li>
 *   <li>the {@code isolationRate} share of the training set with the lowest loss is isolated;</li>
 *   <li><b>training</b> goes on, normally, on the rest;</li>
 *   <li><b>unlearning</b>: steps that unlearn half a batch of isolated examples while learning half
 *       a batch of the rest (the paper's global gradient ascent), until the model gives at most
 *       {@code unlearnedAccuracy} of the isolated examples their (poisoned) labels. The paper ascends
 *       the isolated examples' cross-entropy; a learned backdoor saturates the softmax, where that
 *       gradient ({@code y - p}) is 0 in float (measured: 20 such passes left every isolated
 *       example with its poisoned label), so Rampart lowers the labelled class's logit against the
 *       mean of the others instead, a step of constant size.</li>
 * </ol>
 * Every step is the model's own training step, given signed soft labels ({@code 2p - y}, whose
 * gradient at the logits is {@code y - p}, for LGA's ascent), so the network's updater,
 * regularization and listeners apply; the model must have a softmax output trained with
 * cross-entropy. Unlearning costs clean accuracy, mostly in the target class: measure it (the
 * poisoning matrix in BENCHMARKS.md does).
 *
 * <p>The isolation is scored like a detector ({@link Result#isolation()}: the isolated examples
 * flagged, each example's score its negated isolation loss). ABL isolates and unlearns a fixed
 * share by design, on clean data too, and that is costly: on clean Fashion-MNIST it isolated
 * sandals and bags and its unlearning took the reference CNN from 88.9% to 69.7%. Run it where
 * there is evidence of poisoning (a detector's class verdict), or use its isolation alone.
 *
 * <pre>{@code
 * TrainableModel fresh = MultiLayerNetworkModel.of(ReferenceModels.cnn(1), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
 * AntiBackdoorLearning.Result<TrainableModel> r = AntiBackdoorLearning.builder().isolationEpochs(2)
 *         .trainingEpochs(2).seed(1).build().train(fresh, poisonedTrain);
 * r.model();                          // the same object, trained, with the backdoor unlearned
 * r.isolation().against(truth);       // how much of the poison the isolation caught
 * }</pre>
 */
public final class AntiBackdoorLearning {

    /**
     * What a run does.
     *
     * @param isolationEpochs epochs of LGA training before the isolation (the paper: 20 of 100 on
     *     CIFAR-10; Fashion-MNIST models learn triggers within the first)
     * @param gamma the LGA loss floor, positive (the paper: 0.5)
     * @param isolationRate the share of the training set isolated, in (0, 1) (the paper: 0.01)
     * @param ranking how the isolation ranks the examples by their loss
     * @param trainingEpochs normal epochs on the rest after the isolation
     * @param unlearning how an isolated example is unlearned
     * @param unlearningSteps the most unlearning steps
     * @param unlearningWeight the size of an unlearning row's logit gradient beside a learning
     *     row's, in (0, 1]: larger unlearns faster and costs more of the target class
     * @param unlearningRate the share of the updater's own step an unlearning step takes, in
     *     (0, 1] (the paper also unlearns at a far smaller learning rate than it trains with)
     * @param unlearnedAccuracy unlearning stops once the model gives at most this share of the
     *     isolated examples their labels, in [0, 1)
     * @param batchSize training batch size; unlearning steps take half of it from each side
     * @param seed fixes the order of the batches
     */
    public record Config(int isolationEpochs, double gamma, double isolationRate, Ranking ranking, int trainingEpochs,
            Unlearning unlearning, int unlearningSteps, double unlearningWeight, double unlearningRate,
            double unlearnedAccuracy, int batchSize, long seed) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first bad value */
        public Config {
            Check.positive("isolationEpochs", isolationEpochs);
            Check.positive("gamma", gamma);
            Check.share("isolationRate", isolationRate);
            Check.notNull("ranking", ranking);
            Check.notNegative("trainingEpochs", trainingEpochs);
            Check.notNull("unlearning", unlearning);
            Check.positive("unlearningSteps", unlearningSteps);
            if (!(unlearningRate > 0 && unlearningRate <= 1)) {
                throw new IllegalArgumentException("unlearningRate must be in (0, 1], found " + unlearningRate);
            }
            Check.inRange("unlearningWeight", unlearningWeight, 0, 1);
            if (unlearningWeight <= 0) {
                throw new IllegalArgumentException("unlearningWeight must be in (0, 1], found " + unlearningWeight);
            }
            Check.inRange("unlearnedAccuracy", unlearnedAccuracy, 0, 1);
            if (unlearnedAccuracy >= 1) {
                throw new IllegalArgumentException("unlearnedAccuracy must be in [0, 1), found " + unlearnedAccuracy);
            }
            Check.positive("batchSize", batchSize);
        }
    }

    /**
     * What a run did.
     *
     * @param model the model given, trained
     * @param beforeUnlearning a copy of the model as it was before unlearning, to measure what
     *     unlearning bought and cost
     * @param isolation the isolated examples as a detector's report (scores: negated isolation loss)
     * @param isolatedAccuracy the share of the isolated examples the model gave their labels to
     *     before unlearning, then after each unlearning step
     * @param config what was run
     * @param provenance versions and backend
     * @param <M> the model's type
     */
    public record Result<M extends TrainableModel>(M model, Classifier beforeUnlearning, PoisonReport isolation, double[] isolatedAccuracy,
            Config config, Provenance provenance) {
        public Result {
            isolatedAccuracy = isolatedAccuracy.clone();
        }

        /** The indices of the isolated training examples, ascending. */
        public int[] isolated() {
            return Rows.where(isolation.flagged(), true);
        }

        /** Unlearning steps taken. */
        public int unlearningSteps() {
            return isolatedAccuracy.length - 1;
        }

        @Override
        public double[] isolatedAccuracy() {
            return isolatedAccuracy.clone();
        }
    }

    /** How the isolation ranks the training examples. */
    public enum Ranking {
        /** By loss, lowest first: the paper's. */
        LOSS,
        /**
         * By log-loss minus the median log-loss of the example's class, lowest first: on data with
         * classes far easier than the others (Fashion-MNIST's trousers and bags), their clean
         * examples no longer crowd out the poison.
         */
        CLASS_RELATIVE
    }

    /** How an isolated example is unlearned. */
    public enum Unlearning {
        /** Lower its labelled class's logit against the mean of the others, by {@code unlearningWeight}. */
        MARGIN,
        /** Learn it as the model's most likely class other than its label (its class before the trigger). */
        RELABEL
    }

    /** The name of the isolation in reports. */
    public static final String NAME = "anti-backdoor learning";

    private final Config config;

    private AntiBackdoorLearning(Config config) {
        this.config = config;
    }

    /** A builder with the paper's isolation settings and Rampart's measured ranking and unlearning. */
    public static Builder builder() {
        return new Builder();
    }

    /** This run's configuration. */
    public Config config() {
        return config;
    }

    /**
     * Trains {@code model} on {@code data} with ABL. The model is changed (it is what is trained:
     * pass a freshly initialized one); the data is not.
     *
     * @throws IllegalArgumentException naming the parameter: a model without a softmax
     *     cross-entropy output, data that does not fit it, or an isolation share of no example
     */
    public <M extends TrainableModel> Result<M> train(M model, LabeledData data) {
        Check.notNull("model", model);
        Check.notNull("data", data);
        if (!model.softmaxCrossEntropyOutput()) {
            throw new IllegalArgumentException("model must have a softmax output trained with cross-entropy:"
                    + " anti-backdoor learning's ascent steps need it");
        }
        Inputs.checkData(model, data, "data");
        int n = data.size();
        int k = (int) Math.floor(config.isolationRate() * n);
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("isolationRate " + config.isolationRate() + " of " + n
                    + " examples isolates " + k + "; it must isolate at least one and leave the rest");
        }
        Classifier fast = model.unchecked(); // predictions only: the data was checked once
        INDArray x = data.features();
        int[] y = data.labels();
        SplittableRandom rnd = Seeds.random(config.seed());
        int[] all = Rows.all(n);
        for (int e = 0; e < config.isolationEpochs(); e++) {
            for (int[] batch : batches(all, config.batchSize(), rnd)) {
                INDArray bx = Rows.gather(x, batch);
                INDArray onehot = Labels.oneHot(Rows.pick(y, batch), model.numClasses()).castTo(model.dataType());
                INDArray p = fast.predictProbabilities(bx);
                double loss = meanLoss(p, Rows.pick(y, batch));
                model.fit(bx, loss < config.gamma() ? ascent(p, onehot) : onehot);
            }
        }
        double[] losses = losses(fast, x, y);
        double[] rank = rank(losses, y, data.numClasses(), config.ranking());
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> a.equals(b) ? 0 : rank[a] != rank[b] ? Double.compare(rank[a], rank[b])
                : Integer.compare(a, b));
        boolean[] flagged = new boolean[n];
        for (int i = 0; i < k; i++) {
            flagged[order[i]] = true;
        }
        int[] isolated = Rows.where(flagged, true);
        int[] rest = Rows.where(flagged, false);
        for (int e = 0; e < config.trainingEpochs(); e++) {
            for (int[] batch : batches(rest, config.batchSize(), rnd)) {
                model.fit(Rows.gather(x, batch), Labels.oneHot(Rows.pick(y, batch), model.numClasses())
                        .castTo(model.dataType()));
            }
        }
        Classifier before = model.copy();
        List<Double> accuracy = new ArrayList<>();
        accuracy.add(accuracy(fast, x, y, isolated));
        int half = Math.max(1, config.batchSize() / 2);
        List<int[]> ups = new ArrayList<>();
        while (accuracy.size() <= config.unlearningSteps() && accuracy.get(accuracy.size() - 1)
                > config.unlearnedAccuracy()) {
            if (ups.isEmpty()) {
                ups.addAll(batches(isolated, half, rnd));
            }
            int[] up = ups.remove(ups.size() - 1);
            int[] down = new int[up.length];
            for (int i = 0; i < down.length; i++) {
                down[i] = rest[rnd.nextInt(rest.length)];
            }
            INDArray ux = Rows.gather(x, up);
            INDArray p = fast.predictProbabilities(ux);
            INDArray onehot = Labels.oneHot(Rows.pick(y, up), model.numClasses()).castTo(model.dataType());
            INDArray away = config.unlearning() == Unlearning.RELABEL ? runnerUp(p, Rows.pick(y, up),
                    model.numClasses()).castTo(model.dataType()) : unlearning(p, onehot, config.unlearningWeight());
            INDArray labels = Nd4j.vstack(away, Labels.oneHot(Rows.pick(y, down), model.numClasses())
                    .castTo(model.dataType()));
            INDArray previous = config.unlearningRate() < 1 ? model.parameters().dup() : null;
            model.fit(Nd4j.vstack(ux, Rows.gather(x, down)), labels);
            if (config.unlearningRate() < 1) { // a fraction of the updater's own step
                INDArray now = model.parameters();
                now.assign(now.sub(previous).muli(config.unlearningRate()).addi(previous));
            }
            accuracy.add(accuracy(fast, x, y, isolated));
        }
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = -losses[i];
        }
        List<PoisonReport.ClassSummary> classes = new ArrayList<>();
        for (int c = 0; c < data.numClasses(); c++) {
            int examples = 0;
            int isolatedHere = 0;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (y[i] == c) {
                    examples++;
                    isolatedHere += flagged[i] ? 1 : 0;
                    sum += losses[i];
                }
            }
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("meanIsolationLoss", examples == 0 ? 0 : sum / examples);
            classes.add(new PoisonReport.ClassSummary(c, examples, isolatedHere, isolatedHere > 0
                    ? PoisonReport.Verdict.SUSPICIOUS : PoisonReport.Verdict.CLEAN, figures));
        }
        PoisonReport report = new PoisonReport(NAME, config, flagged, scores, classes, Provenance.current());
        return new Result<>(model, before, report, accuracy.stream().mapToDouble(Double::doubleValue).toArray(), config,
                Provenance.current());
    }

    /** Labels whose cross-entropy gradient at the logits is {@code y - p}: a step up the loss. */
    private static INDArray ascent(INDArray p, INDArray onehot) {
        return p.castTo(onehot.dataType()).mul(2).subi(onehot);
    }

    /**
     * Labels whose gradient at the logits is {@code w (y - (1 - y) / (K - 1))}: a step that lowers the
     * labelled class's logit against the mean of the others, of constant size however confident
     * the model is (cross-entropy's ascent gradient {@code y - p} is exactly 0 in float once a
     * backdoor saturates the softmax).
     */
    private static INDArray unlearning(INDArray p, INDArray onehot, double weight) {
        long k = onehot.size(1);
        return p.castTo(onehot.dataType()).subi(onehot.sub(onehot.rsub(1).divi(k - 1)).muli(weight));
    }

    /** One-hot rows of each example's most likely class other than its label. */
    private static INDArray runnerUp(INDArray p, int[] y, int classes) {
        int[] second = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            int best = -1;
            for (int c = 0; c < classes; c++) {
                if (c != y[i] && (best < 0 || p.getDouble(i, c) > p.getDouble(i, best))) {
                    best = c;
                }
            }
            second[i] = best;
        }
        return Labels.oneHot(second, classes);
    }

    private static List<int[]> batches(int[] pool, int size, SplittableRandom rnd) {
        int[] perm = Rows.pick(pool, ShuffledBatches.permutation(pool.length, rnd));
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < perm.length; s += size) {
            out.add(Arrays.copyOfRange(perm, s, Math.min(perm.length, s + size)));
        }
        return out;
    }

    /**
     * The isolation's ranking keys, lowest first: the losses themselves, or for
     * {@link Ranking#CLASS_RELATIVE} each log-loss minus its class's median log-loss.
     */
    public static double[] rank(double[] losses, int[] labels, int classes, Ranking ranking) {
        Check.notNull("ranking", ranking);
        return ranking == Ranking.LOSS ? losses.clone() : classRelative(losses, labels, classes);
    }

    /** Log-loss minus its median over the example's class: easy classes no longer fill the isolation. */
    private static double[] classRelative(double[] losses, int[] y, int classes) {
        double[] out = new double[losses.length];
        for (int c = 0; c < classes; c++) {
            int label = c;
            double[] logs = java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == label)
                    .mapToDouble(i -> Math.log(Math.max(losses[i], 1e-12))).toArray();
            double median = logs.length == 0 ? 0 : new org.apache.commons.math3.stat.descriptive.rank.Median()
                    .evaluate(logs);
            for (int i = 0; i < y.length; i++) {
                if (y[i] == c) {
                    out[i] = Math.log(Math.max(losses[i], 1e-12)) - median;
                }
            }
        }
        return out;
    }

    private static double meanLoss(INDArray p, int[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += exampleLoss(p, i, y[i]);
        }
        return sum / y.length;
    }

    private static double exampleLoss(INDArray p, int row, int label) {
        return -Math.log(Math.max(p.getDouble(row, label), 1e-12));
    }

    private static final int PASS = 512;


    private static double[] losses(Classifier m, INDArray x, int[] y) {
        double[] out = new double[y.length];
        for (int s = 0; s < y.length; s += PASS) {
            int e = Math.min(y.length, s + PASS);
            INDArray p = m.predictProbabilities(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e)));
            for (int i = s; i < e; i++) {
                out[i] = exampleLoss(p, i - s, y[i]);
            }
        }
        return out;
    }

    private static double accuracy(Classifier m, INDArray x, int[] y, int[] idx) {
        int right = 0;
        for (int s = 0; s < idx.length; s += PASS) {
            int[] part = Arrays.copyOfRange(idx, s, Math.min(idx.length, s + PASS));
            int[] pred = m.predictClasses(Rows.gather(x, part));
            for (int i = 0; i < part.length; i++) {
                right += pred[i] == y[part[i]] ? 1 : 0;
            }
        }
        return (double) right / idx.length;
    }

    /** Builds an {@link AntiBackdoorLearning}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private int isolationEpochs = 2;
        private double gamma = 0.5;
        private double isolationRate = 0.01;
        private int trainingEpochs = 2;
        private Ranking ranking = Ranking.CLASS_RELATIVE;
        private Unlearning unlearning = Unlearning.MARGIN;
        private int unlearningSteps = 500;
        private double unlearningWeight = 0.3;
        private double unlearningRate = 1;
        private double unlearnedAccuracy = 0.2;
        private int batchSize = 128;
        private long seed;

        private Builder() {
        }

        /** Epochs of LGA training before the isolation (default 2). */
        public Builder isolationEpochs(int epochs) {
            this.isolationEpochs = epochs;
            return this;
        }

        /** The LGA loss floor (default 0.5, the paper's). */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /** The share of the training set isolated (default 0.01, the paper's). */
        public Builder isolationRate(double rate) {
            this.isolationRate = rate;
            return this;
        }

        /** Normal epochs on the rest after the isolation (default 2). */
        public Builder trainingEpochs(int epochs) {
            this.trainingEpochs = epochs;
            return this;
        }

        /** How the isolation ranks the examples (default {@link Ranking#CLASS_RELATIVE}; the paper's is LOSS). */
        public Builder ranking(Ranking ranking) {
            this.ranking = ranking;
            return this;
        }

        /** How isolated examples are unlearned (default {@link Unlearning#MARGIN}). */
        public Builder unlearning(Unlearning unlearning) {
            this.unlearning = unlearning;
            return this;
        }

        /** The most unlearning steps (default 500). */
        public Builder unlearningSteps(int steps) {
            this.unlearningSteps = steps;
            return this;
        }

        /** The size of an unlearning row's logit gradient beside a learning row's (default 0.3). */
        public Builder unlearningWeight(double weight) {
            this.unlearningWeight = weight;
            return this;
        }

        /** The share of the updater's own step an unlearning step takes (default 1). */
        public Builder unlearningRate(double rate) {
            this.unlearningRate = rate;
            return this;
        }

        /** Unlearning stops once at most this share of the isolated examples keep their labels (default 0.2). */
        public Builder unlearnedAccuracy(double share) {
            this.unlearnedAccuracy = share;
            return this;
        }

        /** Training batch size (default 128). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Fixes the order of the batches (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad value */
        public AntiBackdoorLearning build() {
            return new AntiBackdoorLearning(new Config(isolationEpochs, gamma, isolationRate, ranking, trainingEpochs,
                    unlearning, unlearningSteps, unlearningWeight, unlearningRate, unlearnedAccuracy, batchSize,
                    seed));
        }
    }
}
