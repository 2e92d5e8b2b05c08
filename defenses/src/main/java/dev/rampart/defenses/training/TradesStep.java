package dev.rampart.defenses.training;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.norm.Norm;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The step of TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui &amp; Jordan, "Theoretically principled
 * trade-off between robustness and accuracy", ICML 2019), which minimizes
 * {@code CE(f(x), y) + beta KL(f(x) || f(x'))}. {@code x'} comes from {@link Pgd} ascending the KL
 * term from {@code x + 0.001 N(0, 1)}; the batch to train on is {@code [x; x']} with soft labels
 * chosen so that a softmax cross-entropy step's gradient {@code p - t} equals the TRADES gradient on
 * every row: clean rows {@code t = y - beta p (log p - log q - KL)}, adversarial rows
 * {@code t = (1 - beta) q + beta p}. The loss is then averaged over {@code 2n} rows: half the TRADES
 * gradient, a scale Adam's step does not see. It needs a model trained with softmax and
 * multi-class cross-entropy (checked), and is exact when inference and training modes compute the
 * same function (no dropout or batch normalization).
 *
 * <pre>{@code
 * AdversarialStep trades = new TradesStep(Norm.LINF, 10, 6.0);
 * }</pre>
 *
 * @param norm the threat model's norm
 * @param steps PGD iterations on the KL term
 * @param beta the weight of the KL term
 */
public record TradesStep(Norm norm, int steps, double beta) implements AdversarialStep {

    /** Standard deviation of TRADES' Gaussian start (Zhang et al. 2019). */
    public static final double START_SD = 0.001;

    /** @throws IllegalArgumentException naming the first invalid value */
    public TradesStep {
        if (norm == null) {
            throw new IllegalArgumentException("norm must not be null");
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("pgdSteps must be positive, found " + steps);
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be positive and finite, found " + beta);
        }
    }

    @Override
    public String name() {
        return "TRADES-" + steps;
    }

    /** @throws IllegalArgumentException if the model's head is not softmax with cross-entropy */
    @Override
    public DataSet craft(GradientClassifier model, INDArray x, INDArray oneHot, double epsilon, long seed) {
        checkHead(model);
        if (epsilon <= 0) {
            return new DataSet(x, oneHot);
        }
        INDArray p = model.predictProbabilities(x);
        INDArray xAdv = Pgd.builder(model).norm(norm).epsilon(epsilon).steps(steps)
                .start(Pgd.Start.gaussian(START_SD)).batchSize((int) x.size(0)).seed(seed)
                .objective(new Pgd.Objective() {
                    @Override
                    public dev.rampart.core.loss.LogitObjective of(INDArray clean, dev.rampart.attacks.evasion.AttackGoal g) {
                        return LogitObjectives.klDivergence(p);
                    }

                    @Override
                    public String name() {
                        return "KL";
                    }
                }).build().run(x, Labels.argmax(oneHot)).adversarial();
        INDArray q = model.predictProbabilities(xAdv);
        INDArray targets = targets(p, q, oneHot.castTo(p.dataType()), beta);
        return new DataSet(Nd4j.concat(0, x, xAdv.castTo(x.dataType())), targets.castTo(oneHot.dataType()));
    }

    /** @throws IllegalArgumentException if TRADES' soft labels would not give its gradient */
    static void checkHead(GradientClassifier model) {
        if (!(model instanceof TrainableModel t) || !t.softmaxCrossEntropyOutput()) {
            throw new IllegalArgumentException("TRADES needs a softmax output trained with multi-class "
                    + "cross-entropy (MCXENT or NEGATIVELOGLIKELIHOOD, no class weights)");
        }
    }

    /**
     * Soft labels of the clean rows then the adversarial rows such that {@code p - t} (clean) and
     * {@code q - t} (adversarial) are the gradients of {@code CE(p, y) + beta KL(p || q)} with
     * respect to the clean and the adversarial logits.
     */
    static INDArray targets(INDArray p, INDArray q, INDArray y, double beta) {
        INDArray logRatio = Transforms.log(Transforms.max(p, 1e-30, true), false)
                .subi(Transforms.log(Transforms.max(q, 1e-30, true), false));
        INDArray kl = p.mul(logRatio).sum(true, 1);
        INDArray clean = y.sub(p.mul(logRatio.subColumnVector(kl)).muli(beta));
        INDArray adversarial = q.mul(1 - beta).addi(p.mul(beta));
        return Nd4j.concat(0, clean, adversarial);
    }
}
