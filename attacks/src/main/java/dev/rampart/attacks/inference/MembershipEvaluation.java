package dev.rampart.attacks.inference;

import dev.rampart.core.metric.Roc;
import java.util.ArrayList;
import dev.rampart.core.report.Provenance;
import java.util.List;
import java.util.OptionalDouble;

/**
 * How well a membership attack tells members from non-members, with the measures of the
 * literature: ROC AUC; balanced accuracy at the attack's own threshold (Yeom et al. 2018);
 * advantage, the largest {@code TPR - FPR} over thresholds (Yeom et al. 2018); and the true-positive
 * rate at 0.1% and 1% false positives (Carlini et al. 2022, who show that average-case measures hide
 * whether an attack confidently identifies any member). Per class too, since leakage is often
 * concentrated in a few classes.
 *
 * <pre>{@code
 * MembershipEvaluation e = MembershipEvaluation.of(scores, isMember);
 * System.out.printf("AUC %.3f, TPR %.2f%% at 0.1%% FPR%n", e.auc(), 100 * e.tprAt01Percent());
 * }</pre>
 *
 * @param attack the attack's name
 * @param auc ROC area under the curve (0.5: chance)
 * @param balancedAccuracy {@code (TPR + TNR) / 2} at the attack's threshold
 * @param advantage {@code max(TPR - FPR)}
 * @param tprAt01Percent TPR at FPR at most 0.001
 * @param tprAt1Percent TPR at FPR at most 0.01
 * @param members number of members
 * @param nonMembers number of non-members (with fewer than 1,000, the 0.1% figure means no false
 *     positive at all)
 * @param perClass one entry per class present among the candidates
 * @param config the attack's configuration record
 * @param provenance versions and backend
 */
public record MembershipEvaluation(String attack, double auc, double balancedAccuracy, double advantage,
        double tprAt01Percent, double tprAt1Percent, int members, int nonMembers, List<PerClass> perClass,
        MembershipAttack.Config config, Provenance provenance) {

    public MembershipEvaluation {
        perClass = List.copyOf(perClass);
    }

    /**
     * One class's figures; empty where the class has no member or no non-member.
     *
     * @param label the class
     * @param members members of this class
     * @param nonMembers non-members of this class
     * @param auc ROC AUC within the class
     * @param advantage {@code max(TPR - FPR)} within the class
     * @param balancedAccuracy at the attack's threshold, within the class
     */
    public record PerClass(int label, int members, int nonMembers, OptionalDouble auc, OptionalDouble advantage,
            OptionalDouble balancedAccuracy) {
    }

    /**
     * Evaluates {@code scores} against the truth.
     *
     * @param isMember per candidate, in the order of the scores
     * @throws IllegalArgumentException if the lengths differ or there is no member or no non-member
     */
    public static MembershipEvaluation of(MembershipScores scores, boolean[] isMember) {
        if (scores == null || isMember == null) {
            throw new IllegalArgumentException("scores and isMember must not be null");
        }
        double[] s = scores.scores();
        if (s.length != isMember.length) {
            throw new IllegalArgumentException("isMember has " + isMember.length + " entries but there are "
                    + s.length + " scores");
        }
        double[][] split = split(s, isMember, null, -1);
        if (split[0].length == 0 || split[1].length == 0) {
            throw new IllegalArgumentException("evaluation needs members and non-members, found " + split[0].length
                    + " members and " + split[1].length + " non-members");
        }
        Roc roc = Roc.of(split[0], split[1]);
        double balanced = Roc.ratesAbove(split[0], split[1], scores.threshold())[2];
        int[] labels = scores.labels();
        int classes = 0;
        for (int c : labels) {
            classes = Math.max(classes, c + 1);
        }
        List<PerClass> per = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            double[][] sc = split(s, isMember, labels, c);
            if (sc[0].length + sc[1].length == 0) {
                continue;
            }
            boolean both = sc[0].length > 0 && sc[1].length > 0;
            Roc r = both ? Roc.of(sc[0], sc[1]) : null;
            per.add(new PerClass(c, sc[0].length, sc[1].length, both ? OptionalDouble.of(r.auc()) : OptionalDouble.empty(),
                    both ? OptionalDouble.of(r.advantage()) : OptionalDouble.empty(),
                    both ? OptionalDouble.of(Roc.ratesAbove(sc[0], sc[1], scores.threshold())[2])
                            : OptionalDouble.empty()));
        }
        return new MembershipEvaluation(scores.attack(), roc.auc(), balanced, roc.advantage(), roc.tprAtFpr(0.001),
                roc.tprAtFpr(0.01), split[0].length, split[1].length, per, scores.config(), Provenance.current());
    }

    /** {members' scores, non-members' scores}, of class {@code label} only if {@code labels} is given. */
    private static double[][] split(double[] s, boolean[] member, int[] labels, int label) {
        int m = 0;
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (labels == null || labels[i] == label) {
                if (member[i]) {
                    m++;
                } else {
                    n++;
                }
            }
        }
        double[] a = new double[m];
        double[] b = new double[n];
        m = 0;
        n = 0;
        for (int i = 0; i < s.length; i++) {
            if (labels == null || labels[i] == label) {
                if (member[i]) {
                    a[m++] = s[i];
                } else {
                    b[n++] = s[i];
                }
            }
        }
        return new double[][] {a, b};
    }
}
