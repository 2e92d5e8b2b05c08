package dev.rampart.attacks.inference;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;

/**
 * The loss-threshold membership attack of Yeom, Giacomelli, Fredrikson &amp; Jha ("Privacy risk in
 * machine learning: analyzing the connection to overfitting", CSF 2018): a candidate whose
 * cross-entropy loss under the target model is at most the model's expected training loss is
 * called a member. The score is the negated loss, so its ROC needs no threshold at all; the
 * threshold matters for the balanced accuracy only. Yeom et al. assume the attacker knows the
 * average training loss; {@link #fromShadows} estimates it from shadow models instead.
 *
 * <pre>{@code
 * MembershipScores s = new LossThresholdAttack(0.05).score(target, candidates);
 * MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
 * }</pre>
 */
public final class LossThresholdAttack {

    private final double lossThreshold;

    /**
     * @param lossThreshold the expected training loss: lower losses are called members
     * @throws IllegalArgumentException if negative or not finite
     */
    public LossThresholdAttack(double lossThreshold) {
        if (!(lossThreshold >= 0) || Double.isInfinite(lossThreshold)) {
            throw new IllegalArgumentException("lossThreshold must be finite and >= 0, found " + lossThreshold);
        }
        this.lossThreshold = lossThreshold;
    }

    /** The threshold at the shadow models' mean loss on their own training examples. */
    public static LossThresholdAttack fromShadows(ShadowModels shadows) {
        double sum = 0;
        long n = 0;
        for (int s = 0; s < shadows.count(); s++) {
            double[] loss = shadows.answers(s).loss();
            for (int i = 0; i < loss.length; i++) {
                if (shadows.in(s, i)) {
                    sum += loss[i];
                    n++;
                }
            }
        }
        return new LossThresholdAttack(sum / n);
    }

    /** The threshold on the loss. */
    public double lossThreshold() {
        return lossThreshold;
    }

    /** Scores {@code candidates} by the negated loss of {@code target} (queries only). */
    public MembershipScores score(Classifier target, LabeledData candidates) {
        double[] loss = Confidences.of(target, candidates).loss();
        double[] s = new double[loss.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = -loss[i];
        }
        // a loss equal to the threshold is a member: score -loss >= -threshold, strictly above its next float down
        return new MembershipScores("loss-threshold", s, candidates.labels(), Math.nextDown(-lossThreshold));
    }
}
