package dev.rampart.examples.evaluation;

import dev.rampart.attacks.evaluation.AutoAttack;
import dev.rampart.attacks.evaluation.MaskingWarning;
import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.attacks.evasion.CarliniWagner;
import dev.rampart.attacks.evasion.DeepFool;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.norm.Norm;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the bundled CNN's robust accuracy the reliable way: the AutoAttack ensemble (APGD-CE,
 * APGD-T, Square) with its gradient-masking checks, then the smallest L2 perturbations C&amp;W and
 * DeepFool find, then Square (1,000 queries) alone against the same model seen as a black box
 * (queries only).
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.evaluation.EvaluateRobustness -Dexec.args="500 0.1"
 * </pre>
 */
public final class EvaluateRobustness {

    /**
     * What the example measured.
     *
     * @param report the ensemble's report
     * @param cwMedianL2 median L2 norm of C&amp;W's successful perturbations
     * @param deepFoolMedianL2 median L2 norm of DeepFool's successful perturbations
     * @param blackBoxSquare Square's robust accuracy through queries alone
     */
    public record Result(RobustnessReport report, double cwMedianL2, double deepFoolMedianL2, double blackBoxSquare) {
    }

    private EvaluateRobustness() {
    }

    /** Evaluates on the first {@code n} bundled test images at L-inf {@code epsilon}; small budgets when {@code quick}. */
    public static Result run(int n, double epsilon, boolean quick) throws IOException {
        MultiLayerNetworkModel model = BundledModels.referenceCnn();
        LabeledData test = FashionMnist.bundledTest().head(n);

        RobustnessReport report = AutoAttack.builder(model).norm(Norm.LINF).epsilon(epsilon)
                .apgdSteps(quick ? 20 : 100).targetClasses(quick ? 3 : 9).squareQueries(quick ? 300 : 5000)
                .checkSamples(Math.min(n, 200)).seed(1).build()
                .evaluate(test.features(), test.labels());

        EvasionResult cw = CarliniWagner.builder(model).binarySearchSteps(quick ? 4 : 9).maxIterations(quick ? 30 : 100)
                .build().run(test.features(), test.labels());
        EvasionResult df = DeepFool.builder(model).norm(Norm.L2).build().run(test.features(), test.labels());

        Classifier blackBox = new BlackBoxModel(model::predictProbabilities, model.numClasses(), model.inputShape(),
                model.domain());
        EvasionResult square = Square.builder(blackBox).epsilon(epsilon).queries(quick ? 300 : 1000).seed(1).build()
                .run(test.features(), test.labels());
        return new Result(report, medianOfSuccesses(cw), medianOfSuccesses(df), square.robustAccuracy());
    }

    static double medianOfSuccesses(EvasionResult r) {
        double[] norms = new double[r.size()];
        int k = 0;
        for (int i = 0; i < r.size(); i++) {
            if (r.success()[i] && r.cleanPredictions()[i] == r.goal().label(i)) {
                norms[k++] = r.perturbationNorm()[i];
            }
        }
        if (k == 0) {
            return Double.NaN;
        }
        double[] s = Arrays.copyOf(norms, k);
        Arrays.sort(s);
        return s[k / 2];
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        double eps = args.length > 1 ? Double.parseDouble(args[1]) : 0.1;
        Result r = run(n, eps, false);
        RobustnessReport rep = r.report();
        System.out.printf(Locale.ROOT, "clean accuracy %.1f%% on %d images, L-inf epsilon %.3g%n",
                100 * rep.cleanAccuracy(), rep.size(), eps);
        for (RobustnessReport.Step s : rep.steps()) {
            System.out.printf(Locale.ROOT, "  %-12s ran on %4d, fooled %4d -> robust %.1f%%  (%.1f s)%n", s.attack(),
                    s.attacked(), s.broken(), 100 * s.robustAccuracyAfter(), s.seconds());
        }
        System.out.printf(Locale.ROOT, "robust accuracy (ensemble) %.1f%%%n", 100 * rep.robustAccuracy());
        for (MaskingWarning w : rep.warnings()) {
            System.out.println("WARNING " + w.check() + ": " + w.message());
        }
        if (rep.warnings().isEmpty()) {
            System.out.println("gradient-masking checks: none fired");
        }
        System.out.printf(Locale.ROOT, "median smallest L2 perturbation: C&W %.3f, DeepFool %.3f%n", r.cwMedianL2(),
                r.deepFoolMedianL2());
        System.out.printf(Locale.ROOT, "Square through queries only: robust accuracy %.1f%%%n",
                100 * r.blackBoxSquare());
    }
}
