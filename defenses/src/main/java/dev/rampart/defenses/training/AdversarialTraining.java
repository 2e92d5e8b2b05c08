package dev.rampart.defenses.training;

import dev.rampart.core.model.Labels;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.model.program.ProgramClassifier;
import dev.rampart.defenses.certification.BoundCertificates;
import dev.rampart.defenses.certification.BoundPropagation;
import dev.rampart.defenses.certification.IntervalBoundLoss;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Adversarial training: each minibatch is (partly) replaced by adversarial examples crafted
 * against the current model, then the model takes its normal training step on it.
 *
 * <ul>
 *   <li>{@link Method#PGD}: PGD adversarial training (Madry, Makelov, Schmidt, Tsipras &amp;
 *       Vladu, ICLR 2018): k-step PGD from a random start (step {@code 2.5 epsilon / k}, Rampart's
 *       PGD default).</li>
 *   <li>{@link Method#FAST_FGSM}: "fast is better than free" (Wong, Rice &amp; Kolter, ICLR
 *       2020): one FGSM step of {@code 1.25 epsilon} from a uniform random start.</li>
 *   <li>{@link Method#TRADES}: Zhang, Yu, Jiao, Xing, El Ghaoui &amp; Jordan (ICML 2019): minimizes
 *       {@code CE(f(x), y) + beta KL(f(x) || f(x'))}, {@code x'} found by k-step PGD on the KL term
 *       from {@code x + 0.001 N(0, 1)}. The step is still the network's own {@code fit}: it runs on
 *       the batch of clean and adversarial examples with soft labels chosen so that DL4J's
 *       softmax cross-entropy gradient, {@code p - t}, equals the TRADES gradient on every row
 *       (clean rows {@code t = y - beta p (log p - log q - KL)}, adversarial rows
 *       {@code t = (1 - beta) q + beta p}). The loss is thus averaged over {@code 2n} rows: half
 *       the TRADES gradient, which Adam's step does not see. It needs a softmax output with
 *       multi-class cross-entropy (checked), and is exact when inference and training modes
 *       compute the same function (no dropout or batch normalization).</li>
 *   <li>{@link Method#GAUSSIAN}: Gaussian data augmentation of standard deviation epsilon, the
 *       base classifier of randomized smoothing (Cohen, Rosenfeld &amp; Kolter, ICML 2019); see
 *       {@code dev.rampart.defenses.certification.RandomizedSmoothing}.</li>
 *   <li>{@link Method#SMOOTH_ADV}: SmoothAdv (Salman et al., NeurIPS 2019), PGD-L2 against the
 *       smoothed classifier, a stronger base classifier for randomized smoothing.</li>
 * </ul>
 *
 * <p>Each method is an {@link AdversarialStep} ({@link PgdStep}, {@link TradesStep}) applied to
 * every minibatch; {@link AdversarialIterator} applies the same steps inside a user's own
 * {@code net.fit(iterator)} loop. Adversarial examples use the model's inference-mode gradients
 * (dropout off, batch normalization with running statistics), crafted by Rampart's {@link Pgd}; the
 * training step is
 * the wrapped network's own {@code fit}, so its updater, regularization and
 * {@code TrainingListener}s apply unchanged. Epsilon can ramp up linearly, batch by batch, over the first epochs (with a
 * warm-up, the iterator is read once more at the start to count its batches).
 * With held-out data, clean and PGD robust accuracy are measured after every epoch, the best
 * robust parameters can be restored at the end, and training can stop early. With
 * {@link Builder#weightAveraging(double) weight averaging}, an exponential moving average of the
 * parameters is kept after every step (Polyak averaging; for adversarial training, Gowal, Qin,
 * Uesato, Mann &amp; Kohli, "Uncovering the limits of adversarial training", 2020): held-out
 * evaluation, keep-best and the final model use the averaged parameters, while the steps go on
 * from the network's own.
 *
 * <pre>{@code
 * MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
 * TrainingReport report = AdversarialTraining.builder(model)
 *         .method(AdversarialTraining.Method.PGD).epsilon(0.1).pgdSteps(7)
 *         .epochs(10).warmupEpochs(2).evaluateOn(heldOut, 20).keepBest(true)
 *         .build()
 *         .fit(trainIterator);
 * }</pre>
 *
 * @param <M> a model with inference-mode gradients that can train, such as
 *     {@code MultiLayerNetworkModel} or {@code ComputationGraphModel}
 */
public final class AdversarialTraining<M extends GradientClassifier & TrainableModel> {

    /** How adversarial examples are crafted during training. */
    public enum Method {
        PGD, FAST_FGSM, TRADES,
        /**
         * Gaussian data augmentation for randomized smoothing ({@link GaussianNoiseStep}): epsilon is
         * the noise's standard deviation, and the held-out figure is the accuracy under one draw of
         * that noise per example instead of PGD's.
         */
        GAUSSIAN,
        /**
         * SmoothAdv ({@link SmoothAdvStep}): PGD-L2 of radius epsilon on the smoothed classifier with
         * noise of standard deviation {@code sigma}, trained on the noisy copies; the held-out figure
         * is, as for GAUSSIAN, the accuracy under one draw of that noise.
         */
        SMOOTH_ADV,
        /**
         * Certified training by interval bound propagation (Gowal et al. 2018, {@link IntervalBoundLoss}):
         * each step descends {@code kappa * clean loss + (1 - kappa) * robust loss}, the robust loss
         * being the cross-entropy of the worst-case logits over the L-inf ball; epsilon ramps up over
         * the warm-up epochs while kappa falls from 1 to its final value. The held-out figure is the
         * accuracy verified by IBP at the final epsilon instead of PGD's. Needs a DL4J model whose
         * layers are dense or convolutional (no batch normalization) and L-inf.
         */
        IBP,
        /**
         * CROWN-IBP (Zhang et al. 2020): as IBP, but the margins' bound mixes CROWN's (propagated
         * backward through the interval bounds of the hidden layers) with weight falling from 1 to
         * 0 over the warm-up, and the interval one; tighter early in training, where pure IBP is
         * unstable. ReLU networks without max pooling.
         */
        CROWN_IBP
    }

    /** Standard deviation of TRADES' Gaussian start (Zhang et al. 2019). */
    public static final double TRADES_START_SD = TradesStep.START_SD;

    /** Fast FGSM's step, as a multiple of epsilon (Wong et al. 2020). */
    public static final double FAST_FGSM_STEP = PgdStep.FAST_FGSM_STEP;

    /**
     * The training's configuration.
     *
     * @param method how adversarial examples are crafted
     * @param norm the threat model's norm
     * @param epsilon the final budget
     * @param pgdSteps PGD steps per example (PGD method)
     * @param epochs passes over the training data
     * @param warmupEpochs epochs over which epsilon ramps linearly from 0 (0: full budget at once)
     * @param adversarialFraction share of each batch replaced by adversarial examples, in (0, 1]
     * @param evaluationSteps PGD steps of the held-out robust evaluation
     * @param keepBest restore, at the end, the parameters of the epoch with the best held-out
     *     robust accuracy
     * @param patience stop after this many epochs without a better held-out robust accuracy (0: never)
     * @param beta TRADES' weight of the robust (KL) term
     * @param averagingDecay decay of the moving average of the parameters, per step (0: no averaging)
     * @param seed fixes random starts and the choice of examples made adversarial
     * @param sigma SmoothAdv's noise standard deviation
     * @param noiseSamples SmoothAdv's noise draws per example
     * @param kappa IBP's final weight of the clean loss, in [0, 1]
     */
    public record Config(Method method, Norm norm, double epsilon, int pgdSteps, int epochs, int warmupEpochs,
            double adversarialFraction, int evaluationSteps, boolean keepBest, int patience, double beta,
            double averagingDecay, long seed, double sigma, int noiseSamples, double kappa) {
    }

    private final M model;
    private final Config config;
    private final AdversarialStep step;
    /** IBP's robust loss, or {@code null} for the other methods. */
    private final IntervalBoundLoss ibp;
    private final LabeledData heldOut;
    private final Consumer<TrainingReport.Epoch> onEpoch;

    private AdversarialTraining(M model, Config config, LabeledData heldOut, Consumer<TrainingReport.Epoch> onEpoch) {
        this.model = model;
        this.config = config;
        this.step = switch (config.method()) {
            case PGD -> PgdStep.pgd(config.norm(), config.pgdSteps(), config.adversarialFraction());
            case FAST_FGSM -> PgdStep.fastFgsm(config.norm(), config.adversarialFraction());
            case TRADES -> new TradesStep(config.norm(), config.pgdSteps(), config.beta());
            case GAUSSIAN -> new GaussianNoiseStep(config.adversarialFraction());
            case SMOOTH_ADV -> new SmoothAdvStep(config.pgdSteps(), config.noiseSamples(), config.sigma());
            case IBP, CROWN_IBP -> null;
        };
        this.ibp = bounded(config.method()) ? new IntervalBoundLoss((ProgramClassifier) model) : null;
        this.heldOut = heldOut;
        this.onEpoch = onEpoch;
    }

    /** A builder with defaults PGD-7, L-inf 0.1, 10 epochs, all examples adversarial. */
    public static <M extends GradientClassifier & TrainableModel> Builder<M> builder(M model) {
        return new Builder<>(model);
    }

    public Config config() {
        return config;
    }

    /** The per-batch step of the configured method ({@code null} for IBP, which trains on bounds, not inputs). */
    public AdversarialStep step() {
        return step;
    }

    /**
     * Trains the model in place.
     *
     * @param train minibatches of features in the model's input shape and one-hot labels; reset
     *     before every epoch
     * @return per-epoch figures and the epoch whose parameters the model ends with
     */
    public TrainingReport fit(DataSetIterator train) {
        if (train == null) {
            throw new IllegalArgumentException("train must not be null");
        }
        List<TrainingReport.Epoch> epochs = new ArrayList<>();
        INDArray bestParams = null;
        int bestEpoch = -1;
        double bestRobust = -1;
        int sinceBest = 0;
        long batchIndex = 0;
        int batchesPerEpoch = config.warmupEpochs() > 0 ? countBatches(train) : -1;
        ParameterAverage average = config.averagingDecay() > 0 ? new ParameterAverage(config.averagingDecay()) : null;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            long start = System.nanoTime();
            train.reset();
            int batches = 0;
            long examples = 0;
            double epsilonUsed = 0;
            while (train.hasNext()) {
                DataSet batch = train.next();
                double eps = epsilonAt(epoch, batches, batchesPerEpoch);
                epsilonUsed = eps;
                long seed = Seeds.derive(config.seed(), batchIndex++);
                if (ibp != null) {
                    double crownWeight = config.method() == Method.CROWN_IBP
                            ? 1 - rampAt(epoch, batches, batchesPerEpoch) : 0;
                    intervalStep(batch, eps, kappaAt(epoch, batches, batchesPerEpoch), crownWeight);
                } else {
                    DataSet crafted = step.craft(model, batch.getFeatures(), batch.getLabels(), eps, seed);
                    model.fit(crafted.getFeatures(), crafted.getLabels());
                }
                if (average != null) {
                    average.update(model.parameters());
                }
                batches++;
                examples += batch.numExamples();
            }
            batchesPerEpoch = batches;
            double seconds = (System.nanoTime() - start) / 1e9;
            INDArray own = average == null ? null : average.swapIn(model.parameters());
            TrainingReport.Epoch stats = evaluate(epoch, epsilonUsed, examples, seconds);
            boolean better = heldOut != null && stats.robustAccuracy() > bestRobust;
            if (better && config.keepBest()) {
                bestParams = model.parameters().dup();
            }
            epochs.add(stats);
            if (onEpoch != null) {
                onEpoch.accept(stats);
            }
            if (own != null) {
                model.parameters().assign(own);
            }
            if (better) {
                bestRobust = stats.robustAccuracy();
                bestEpoch = epoch;
                sinceBest = 0;
            } else if (heldOut != null && config.patience() > 0 && ++sinceBest >= config.patience()) {
                break;
            }
        }
        int finalEpoch = epochs.size() - 1;
        if (bestParams != null) {
            model.parameters().assign(bestParams);
            finalEpoch = bestEpoch;
        } else if (average != null) {
            average.writeTo(model.parameters());
        }
        return new TrainingReport(epochs, finalEpoch, config, Provenance.current());
    }

    /** Batches in one pass of {@code train} (one pass that only reads, so the ramp is per batch from the start). */
    private static int countBatches(DataSetIterator train) {
        train.reset();
        int count = 0;
        while (train.hasNext()) {
            train.next();
            count++;
        }
        return count;
    }

    /** One IBP step: the clean and robust gradients mixed by kappa, applied by the model's updater. */
    private void intervalStep(DataSet batch, double eps, double kappa, double crownWeight) {
        PerExampleGradients pe = (PerExampleGradients) model;
        INDArray x = batch.getFeatures();
        int[] labels = Labels.argmax(batch.getLabels());
        INDArray clean = pe.parameterGradient(x, batch.getLabels());
        IntervalBoundLoss.Result r = ibp.lossAndGradient(x, labels, eps, crownWeight);
        INDArray g = clean.reshape(-1).castTo(r.gradient().dataType()).muli(kappa).addi(r.gradient().muli(1 - kappa));
        pe.applyGradient(g, labels.length);
    }

    /** IBP's kappa after {@code batch} batches of {@code epoch}: from 1 down to its final value over the warm-up. */
    double kappaAt(int epoch, int batch, int batchesPerEpoch) {
        return 1 - (1 - config.kappa()) * rampAt(epoch, batch, batchesPerEpoch);
    }

    /** The warm-up's progress, from 0 to 1 (1 at once without warm-up). */
    private double rampAt(int epoch, int batch, int batchesPerEpoch) {
        if (config.warmupEpochs() == 0) {
            return 1;
        }
        double progress = epoch + (batchesPerEpoch > 0 ? (double) batch / batchesPerEpoch : 0);
        return Math.min(1.0, progress / config.warmupEpochs());
    }

    private static boolean bounded(Method m) {
        return m == Method.IBP || m == Method.CROWN_IBP;
    }

    /** Epsilon after {@code batch} batches of {@code epoch}: a linear ramp over the warm-up epochs. */
    double epsilonAt(int epoch, int batch, int batchesPerEpoch) {
        if (config.warmupEpochs() == 0) {
            return config.epsilon();
        }
        double progress = epoch + (batchesPerEpoch > 0 ? (double) batch / batchesPerEpoch : 0);
        return config.epsilon() * Math.min(1.0, progress / config.warmupEpochs());
    }

    private TrainingReport.Epoch evaluate(int epoch, double eps, long examples, double seconds) {
        if (heldOut == null) {
            return new TrainingReport.Epoch(epoch, eps, examples, seconds, Double.NaN, Double.NaN);
        }
        if (config.method() == Method.GAUSSIAN || config.method() == Method.SMOOTH_ADV) {
            double sd = config.method() == Method.GAUSSIAN ? config.epsilon() : config.sigma();
            INDArray noisy = GaussianNoiseStep.noisy(heldOut.features(), sd, config.seed(), model.domain());
            double clean = Metrics.accuracy(model.predictClasses(heldOut.features()), heldOut.labels());
            double underNoise = Metrics.accuracy(model.predictClasses(noisy), heldOut.labels());
            return new TrainingReport.Epoch(epoch, eps, examples, seconds, clean, underNoise);
        }
        if (bounded(config.method())) {
            BoundCertificates c = BoundPropagation.builder(model).method(BoundPropagation.Method.IBP).build()
                    .certify(heldOut, config.epsilon());
            return new TrainingReport.Epoch(epoch, eps, examples, seconds, c.cleanAccuracy(), c.verifiedAccuracy(0));
        }
        EvasionResult r = Pgd.builder(model).norm(config.norm()).epsilon(config.epsilon())
                .steps(config.evaluationSteps()).seed(config.seed()).earlyStop(true).build()
                .run(heldOut.features(), heldOut.labels());
        return new TrainingReport.Epoch(epoch, eps, examples, seconds, r.cleanAccuracy(), r.robustAccuracy());
    }

    /** Builds an {@link AdversarialTraining}; every value is checked in {@link #build()}. */
    public static final class Builder<M extends GradientClassifier & TrainableModel> {
        private final M model;
        private Method method = Method.PGD;
        private Norm norm = Norm.LINF;
        private double epsilon = 0.1;
        private double sigma = 0.25;
        private int noiseSamples = 1;
        private double kappa = 0.5;
        private int pgdSteps = 7;
        private int epochs = 10;
        private int warmupEpochs;
        private double adversarialFraction = 1.0;
        private LabeledData heldOut;
        private int evaluationSteps = 20;
        private boolean keepBest;
        private int patience;
        private double beta = 6.0;
        private double averagingDecay;
        private long seed;
        private Consumer<TrainingReport.Epoch> onEpoch;

        private Builder(M model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        public Builder<M> method(Method method) {
            this.method = method;
            return this;
        }

        public Builder<M> norm(Norm norm) {
            this.norm = norm;
            return this;
        }

        public Builder<M> epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder<M> pgdSteps(int pgdSteps) {
            this.pgdSteps = pgdSteps;
            return this;
        }

        public Builder<M> epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Epochs over which epsilon ramps up linearly from 0. */
        public Builder<M> warmupEpochs(int warmupEpochs) {
            this.warmupEpochs = warmupEpochs;
            return this;
        }

        /** Share of each batch replaced by adversarial examples (1: all; 0.5: half clean). */
        public Builder<M> adversarialFraction(double adversarialFraction) {
            this.adversarialFraction = adversarialFraction;
            return this;
        }

        /** Held-out data on which clean and PGD robust accuracy are measured after every epoch. */
        public Builder<M> evaluateOn(LabeledData heldOut, int pgdSteps) {
            this.heldOut = heldOut;
            this.evaluationSteps = pgdSteps;
            return this;
        }

        public Builder<M> keepBest(boolean keepBest) {
            this.keepBest = keepBest;
            return this;
        }

        public Builder<M> patience(int patience) {
            this.patience = patience;
            return this;
        }

        /** TRADES' weight of the KL term (default 6). */
        public Builder<M> beta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Keeps an exponential moving average of the parameters, updated after every training step
         * with decay {@code min(decay, (1 + t) / (10 + t))} at step {@code t} (so that the first
         * steps' weights fade quickly); held-out evaluation, keep-best and the model at the end use
         * the average. {@code 0} (the default) turns it off; 0.999 averages over about the last
         * thousand steps.
         */
        public Builder<M> weightAveraging(double decay) {
            this.averagingDecay = decay;
            return this;
        }

        /** SmoothAdv's noise standard deviation (default 0.25). */
        public Builder<M> sigma(double sigma) {
            this.sigma = sigma;
            return this;
        }

        /** SmoothAdv's noise draws per example (default 1). */
        public Builder<M> noiseSamples(int noiseSamples) {
            this.noiseSamples = noiseSamples;
            return this;
        }

        /** IBP's final weight of the clean loss, in [0, 1] (default 0.5, as Gowal et al. 2018). */
        public Builder<M> kappa(double kappa) {
            this.kappa = kappa;
            return this;
        }

        public Builder<M> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Called with each epoch's figures as soon as they are measured, while the model holds the
         * parameters they were measured on (the average, with weight averaging), so that a callback
         * can save them.
         */
        public Builder<M> onEpoch(Consumer<TrainingReport.Epoch> onEpoch) {
            this.onEpoch = onEpoch;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public AdversarialTraining<M> build() {
            if (method == null || norm == null) {
                throw new IllegalArgumentException("method and norm must not be null");
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be positive and finite, found " + epsilon);
            }
            if (pgdSteps <= 0) {
                throw new IllegalArgumentException("pgdSteps must be positive, found " + pgdSteps);
            }
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be positive, found " + epochs);
            }
            if (warmupEpochs < 0 || warmupEpochs > epochs) {
                throw new IllegalArgumentException("warmupEpochs must be in [0, epochs=" + epochs + "], found "
                        + warmupEpochs);
            }
            if (!(adversarialFraction > 0 && adversarialFraction <= 1)) {
                throw new IllegalArgumentException("adversarialFraction must be in (0, 1], found " + adversarialFraction);
            }
            if (evaluationSteps <= 0) {
                throw new IllegalArgumentException("evaluationSteps must be positive, found " + evaluationSteps);
            }
            if (patience < 0) {
                throw new IllegalArgumentException("patience must not be negative, found " + patience);
            }
            if (!(beta > 0) || !Double.isFinite(beta)) {
                throw new IllegalArgumentException("beta must be positive and finite, found " + beta);
            }
            if (!(averagingDecay >= 0 && averagingDecay < 1)) {
                throw new IllegalArgumentException("weightAveraging decay must be in [0, 1) (0: off), found "
                        + averagingDecay);
            }
            if (method == Method.TRADES && adversarialFraction != 1.0) {
                throw new IllegalArgumentException("TRADES trains on every example twice; adversarialFraction must be 1, "
                        + "found " + adversarialFraction);
            }
            if (method == Method.TRADES) {
                TradesStep.checkHead(model);
            }
            if (method == Method.SMOOTH_ADV) {
                new SmoothAdvStep(pgdSteps, noiseSamples, sigma); // names an invalid setting
                if (norm != Norm.L2) {
                    throw new IllegalArgumentException("SmoothAdv certifies L2 radii; norm must be L2, found " + norm);
                }
            }
            if (!(kappa >= 0 && kappa <= 1)) {
                throw new IllegalArgumentException("kappa must be in [0, 1], found " + kappa);
            }
            if (bounded(method)) {
                if (norm != Norm.LINF) {
                    throw new IllegalArgumentException("IBP training bounds L-inf balls; norm must be LINF, found " + norm);
                }
                if (!(model instanceof ProgramClassifier) || !(model instanceof PerExampleGradients)) {
                    throw new IllegalArgumentException("IBP training needs a DL4J model (MultiLayerNetworkModel or"
                            + " ComputationGraphModel), found " + model.getClass().getSimpleName());
                }
            }
            if ((keepBest || patience > 0) && heldOut == null) {
                throw new IllegalArgumentException("keepBest and patience need held-out data (evaluateOn)");
            }
            return new AdversarialTraining<>(model, new Config(method, norm, epsilon, pgdSteps, epochs, warmupEpochs,
                    adversarialFraction, evaluationSteps, keepBest, patience, beta, averagingDecay, seed, sigma,
                    noiseSamples, kappa), heldOut,
                    onEpoch);
        }
    }
}
