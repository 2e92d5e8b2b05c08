package dev.rampart.defenses.training;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The step of PGD adversarial training (Madry, Makelov, Schmidt, Tsipras &amp; Vladu, ICLR 2018)
 * and of fast FGSM training (Wong, Rice &amp; Kolter, "Fast is better than free", ICLR 2020): a
 * seeded share of the batch is replaced by PGD examples from a uniform random start, labels kept.
 * Fast FGSM is the one-step case with step {@code 1.25 epsilon} ({@link #fastFgsm}).
 *
 * <pre>{@code
 * AdversarialStep step = new PgdStep(Norm.LINF, 7, Pgd.DEFAULT_STEP_FACTOR / 7, 0.5);   // half clean
 * }</pre>
 *
 * @param norm the threat model's norm
 * @param steps PGD iterations
 * @param relativeStepSize the step size divided by epsilon
 * @param adversarialFraction share of each batch replaced, in (0, 1]
 */
public record PgdStep(Norm norm, int steps, double relativeStepSize, double adversarialFraction)
        implements AdversarialStep {

    /** Fast FGSM's step, as a multiple of epsilon (Wong et al. 2020). */
    public static final double FAST_FGSM_STEP = 1.25;

    /** @throws IllegalArgumentException naming the first invalid value */
    public PgdStep {
        if (norm == null) {
            throw new IllegalArgumentException("norm must not be null");
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("pgdSteps must be positive, found " + steps);
        }
        if (!(relativeStepSize > 0) || !Double.isFinite(relativeStepSize)) {
            throw new IllegalArgumentException("relativeStepSize must be positive and finite, found "
                    + relativeStepSize);
        }
        if (!(adversarialFraction > 0 && adversarialFraction <= 1)) {
            throw new IllegalArgumentException("adversarialFraction must be in (0, 1], found " + adversarialFraction);
        }
    }

    /** PGD-k with Rampart's default step ({@code 2.5 epsilon / k}). */
    public static PgdStep pgd(Norm norm, int steps, double adversarialFraction) {
        return new PgdStep(norm, steps, Pgd.DEFAULT_STEP_FACTOR / steps, adversarialFraction);
    }

    /** One step of {@code 1.25 epsilon} from a uniform random start. */
    public static PgdStep fastFgsm(Norm norm, double adversarialFraction) {
        return new PgdStep(norm, 1, FAST_FGSM_STEP, adversarialFraction);
    }

    @Override
    public String name() {
        return steps == 1 ? "fast-FGSM" : "PGD-" + steps;
    }

    @Override
    public DataSet craft(GradientClassifier model, INDArray x, INDArray oneHot, double epsilon, long seed) {
        int n = (int) x.size(0);
        int count = (int) Math.round(adversarialFraction * n);
        if (epsilon <= 0 || count == 0) {
            return new DataSet(x, oneHot);
        }
        int[] labels = Labels.argmax(oneHot);
        Pgd pgd = Pgd.builder(model).norm(norm).epsilon(epsilon).steps(steps).relativeStepSize(relativeStepSize)
                .batchSize(Math.max(1, n)).seed(seed).build();
        if (count == n) {
            return new DataSet(pgd.run(x, labels).adversarial(), oneHot);
        }
        int[] chosen = choose(n, count, seed);
        INDArray adversarial = pgd.run(Rows.gather(x, chosen), Rows.pick(labels, chosen)).adversarial();
        INDArray out = x.dup('c');
        Rows.scatter(out, chosen, adversarial);
        return new DataSet(out, oneHot);
    }

    /** {@code count} distinct indices of {@code [0, n)}, sorted (a partial Fisher-Yates shuffle). */
    static int[] choose(int n, int count, long seed) {
        int[] perm = Rows.all(n);
        java.util.SplittableRandom rnd = Seeds.random(seed);
        for (int i = 0; i < count; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(perm, count);
        java.util.Arrays.sort(chosen);
        return chosen;
    }
}
