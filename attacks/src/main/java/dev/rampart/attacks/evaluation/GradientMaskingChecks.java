package dev.rampart.attacks.evaluation;

import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.EpsilonSweep;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.norm.Norm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sanity checks of a gradient-based robustness evaluation, after Athalye, Carlini &amp; Wagner
 * ("Obfuscated gradients give a false sense of security", ICML 2018) and Carlini et al. ("On
 * evaluating adversarial robustness", 2019). On the first {@code samples} examples:
 * <ol>
 *   <li>PGD-20 robust accuracy at {@code epsilon / 4, epsilon / 2, epsilon, 2 epsilon} must not
 *       rise with epsilon (more than {@value #TOLERANCE} between neighbours);</li>
 *   <li>PGD-50 with a budget that reaches every point of the domain (L-inf: the domain's width;
 *       L2: the width times {@code sqrt(d)}) must leave at most {@value #LARGE_EPSILON_ACCURACY}
 *       of the examples correct;</li>
 *   <li>a query-only attack (Square) must not fool more than {@value #TOLERANCE} of the examples
 *       the gradient attacks left standing: the ensemble's own Square step if a report is given,
 *       else Square with 1,000 queries after PGD-20;</li>
 *   <li>one FGSM step must not fool more examples than PGD-20 (by more than
 *       {@value #TOLERANCE}).</li>
 * </ol>
 * Each failed check is a {@link MaskingWarning}. Passing them is necessary, not sufficient.
 *
 * <pre>{@code
 * List<MaskingWarning> w = GradientMaskingChecks.builder(model).epsilon(0.1).build().run(x, labels, null);
 * }</pre>
 */
public final class GradientMaskingChecks {

    /** Largest accepted difference between two accuracies that should be ordered. */
    public static final double TOLERANCE = 0.02;
    /** Largest accepted robust accuracy at a budget that reaches the whole domain. */
    public static final double LARGE_EPSILON_ACCURACY = 0.10;

    private final GradientClassifier model;
    private final Norm norm;
    private final double epsilon;
    private final int samples;
    private final long seed;

    private GradientMaskingChecks(Builder b) {
        this.model = b.model;
        this.norm = b.norm;
        this.epsilon = b.epsilon;
        this.samples = b.samples;
        this.seed = b.seed;
    }

    public static Builder builder(GradientClassifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new Builder(model);
    }

    /**
     * Runs the checks.
     *
     * @param ensemble an ensemble evaluation of the same examples whose query-only steps are used
     *     by the third check, or {@code null}
     * @return the warnings, empty if every check passed
     */
    public List<MaskingWarning> run(INDArray x, int[] labels, RobustnessReport ensemble) {
        int n = Math.min(samples, labels.length);
        INDArray xs = n == labels.length ? x : Rows.gather(x, Rows.all(n));
        int[] ys = java.util.Arrays.copyOf(labels, n);
        AttackGoal goal = AttackGoal.untargeted(ys);
        List<MaskingWarning> warnings = new ArrayList<>();

        Pgd pgd = Pgd.builder(model).norm(norm).epsilon(epsilon).steps(20).seed(seed).build();
        double[] eps = {epsilon / 4, epsilon / 2, epsilon, 2 * epsilon};
        EpsilonSweep sweep = pgd.sweep(xs, goal, eps);
        double[] acc = sweep.robustAccuracy();
        for (int k = 0; k + 1 < acc.length; k++) {
            if (acc[k + 1] > acc[k] + TOLERANCE) {
                warnings.add(new MaskingWarning(MaskingWarning.Check.ACCURACY_RISES_WITH_EPSILON, String.format(
                        Locale.ROOT, "PGD-20 robust accuracy rose from %.3f at epsilon %.4g to %.3f at %.4g",
                        acc[k], eps[k], acc[k + 1], eps[k + 1])));
            }
        }

        InputDomain d = model.domain();
        double width = d.max() - d.min();
        double large = norm == Norm.LINF ? width : width * Math.sqrt((double) xs.length() / n);
        EvasionResult unbounded = Pgd.builder(model).norm(norm).epsilon(large).steps(50).seed(seed).build()
                .run(xs, ys);
        if (unbounded.robustAccuracy() > LARGE_EPSILON_ACCURACY) {
            warnings.add(new MaskingWarning(MaskingWarning.Check.LARGE_EPSILON_NOT_BROKEN, String.format(Locale.ROOT,
                    "PGD-50 at epsilon %.4g, enough to reach any input, left %.3f of the examples correct",
                    large, unbounded.robustAccuracy())));
        }

        EvasionResult atEps = sweep.at(2);
        double blackBoxShare;
        String source;
        if (ensemble != null && ensemble.steps().stream().anyMatch(RobustnessReport.Step::queryOnly)) {
            int afterWhiteBox = ensemble.steps().stream().filter(RobustnessReport.Step::queryOnly)
                    .mapToInt(RobustnessReport.Step::broken).sum();
            blackBoxShare = (double) afterWhiteBox / ensemble.size();
            source = "the ensemble's query-only attacks";
        } else {
            int[] standing = Rows.where(robustFlags(atEps), true);
            int fooled = 0;
            if (standing.length > 0) {
                EvasionResult sq = Square.builder(model).norm(norm).epsilon(epsilon).queries(1000).seed(seed).build()
                        .run(Rows.gather(xs, standing), Rows.pick(ys, standing));
                for (boolean s : sq.success()) {
                    fooled += s ? 1 : 0;
                }
            }
            blackBoxShare = (double) fooled / n;
            source = "Square-1000";
        }
        if (blackBoxShare > TOLERANCE) {
            warnings.add(new MaskingWarning(MaskingWarning.Check.BLACK_BOX_BEATS_WHITE_BOX, String.format(Locale.ROOT,
                    "%s fooled %.3f of the examples after the gradient attacks had failed on them", source,
                    blackBoxShare)));
        }

        EvasionResult fgsm = Fgsm.builder(model).norm(norm).epsilon(epsilon).build().run(xs, ys);
        if (atEps.robustAccuracy() > fgsm.robustAccuracy() + TOLERANCE) {
            warnings.add(new MaskingWarning(MaskingWarning.Check.SINGLE_STEP_BEATS_ITERATIVE, String.format(
                    Locale.ROOT, "FGSM left %.3f correct but PGD-20 left %.3f at epsilon %.4g",
                    fgsm.robustAccuracy(), atEps.robustAccuracy(), epsilon)));
        }
        return warnings;
    }

    private static boolean[] robustFlags(EvasionResult r) {
        boolean[] out = new boolean[r.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.robust(i);
        }
        return out;
    }

    /** Builds {@link GradientMaskingChecks}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final GradientClassifier model;
        private Norm norm = Norm.LINF;
        private double epsilon = 0.1;
        private int samples = 200;
        private long seed;

        private Builder(GradientClassifier model) {
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

        /** Examples the checks use at most (default 200). */
        public Builder samples(int samples) {
            this.samples = samples;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public GradientMaskingChecks build() {
            if (norm == null) {
                throw new IllegalArgumentException("norm must not be null");
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be positive and finite, found " + epsilon);
            }
            if (samples <= 0) {
                throw new IllegalArgumentException("samples must be positive, found " + samples);
            }
            return new GradientMaskingChecks(this);
        }
    }
}
