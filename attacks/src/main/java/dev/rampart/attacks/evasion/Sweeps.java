package dev.rampart.attacks.evasion;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks of epsilon lists, and sweeps derived from one minimum-norm run. */
final class Sweeps {

    /** Relative slack when comparing a float perturbation's norm with a budget. */
    static final double NORM_SLACK = 1e-5;

    private Sweeps() {
    }

    static void check(double[] epsilons) {
        if (epsilons == null || epsilons.length == 0) {
            throw new IllegalArgumentException("epsilons must hold at least one budget");
        }
        for (int k = 0; k < epsilons.length; k++) {
            if (!(epsilons[k] > 0) || !Double.isFinite(epsilons[k])) {
                throw new IllegalArgumentException("epsilons[" + k + "] must be positive and finite, found "
                        + epsilons[k]);
            }
        }
    }

    /**
     * The sweep of a minimum-norm attack from one unbounded run: at each budget, an example keeps
     * its adversarial point if the point's norm is within the budget, else it stays clean.
     */
    static EpsilonSweep fromMinimumNorm(EvasionResult unbounded, INDArray x, double[] epsilons) {
        check(epsilons);
        List<EvasionResult> out = new ArrayList<>();
        int n = unbounded.size();
        double[] norms = unbounded.perturbationNorm();
        int[] clean = unbounded.cleanPredictions();
        int[] adv = unbounded.adversarialPredictions();
        for (double eps : epsilons) {
            INDArray points = unbounded.adversarial().dup();
            int[] predicted = new int[n];
            boolean[] success = new boolean[n];
            double[] kept = new double[n];
            List<Integer> revert = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                boolean within = norms[i] <= eps * (1 + NORM_SLACK);
                predicted[i] = within ? adv[i] : clean[i];
                kept[i] = within ? norms[i] : 0;
                success[i] = unbounded.goal().achieved(i, predicted[i]);
                if (!within) {
                    revert.add(i);
                }
            }
            int[] r = revert.stream().mapToInt(Integer::intValue).toArray();
            if (r.length > 0) {
                dev.rampart.core.data.Rows.scatter(points, r, dev.rampart.core.data.Rows.gather(x, r));
            }
            out.add(new EvasionResult(unbounded.attack(), unbounded.config(), unbounded.seed(), unbounded.norm(), eps,
                    unbounded.goal(), points, success, kept, clean, predicted, unbounded.gradientCalls(),
                    unbounded.seconds(), unbounded.provenance()));
        }
        return new EpsilonSweep(out);
    }
}
