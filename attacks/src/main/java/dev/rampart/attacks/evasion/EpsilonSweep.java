package dev.rampart.attacks.evasion;

import java.util.List;

/**
 * One attack at several budgets on the same inputs: {@link EvasionAttack#sweep}'s result.
 *
 * <pre>{@code
 * EpsilonSweep s = pgd.sweep(x, AttackGoal.untargeted(labels), 0.05, 0.1, 0.2);
 * double[] acc = s.robustAccuracy();          // one figure per epsilon
 * boolean fooled = s.success()[i][1];         // example i at epsilon 0.1
 * }</pre>
 *
 * @param results one result per epsilon, in the order asked
 */
public record EpsilonSweep(List<EvasionResult> results) {

    public EpsilonSweep {
        results = List.copyOf(results);
    }

    /** The budgets, in the order asked. */
    public double[] epsilons() {
        return results.stream().mapToDouble(EvasionResult::epsilon).toArray();
    }

    /** Robust accuracy at each epsilon. */
    public double[] robustAccuracy() {
        return results.stream().mapToDouble(EvasionResult::robustAccuracy).toArray();
    }

    /** {@code success()[i][k]}: whether example {@code i} met the goal at epsilon {@code k}. */
    public boolean[][] success() {
        int n = results.get(0).size();
        boolean[][] out = new boolean[n][results.size()];
        for (int k = 0; k < results.size(); k++) {
            boolean[] s = results.get(k).success();
            for (int i = 0; i < n; i++) {
                out[i][k] = s[i];
            }
        }
        return out;
    }

    /** The result at the {@code k}-th epsilon. */
    public EvasionResult at(int k) {
        return results.get(k);
    }
}
