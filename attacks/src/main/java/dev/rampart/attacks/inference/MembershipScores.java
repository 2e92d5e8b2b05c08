package dev.rampart.attacks.inference;

import dev.rampart.core.check.Check;
import dev.rampart.core.report.Provenance;

/**
 * A membership attack's verdict on candidate examples: a score per candidate, higher meaning "more
 * likely a member of the target's training set", the attack's own decision threshold (a candidate
 * scoring above it is called a member), the attack's configuration and provenance. Evaluate against
 * the truth with {@link MembershipEvaluation#of}.
 *
 * <pre>{@code
 * MembershipScores s = new LossThresholdAttack(meanTrainingLoss).score(target, Candidates.of(suspects));
 * MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
 * }</pre>
 *
 * @param attack the attack's name
 * @param scores per candidate
 * @param labels each candidate's class, for the per-class breakdown
 * @param threshold the attack's decision threshold on the scores
 * @param config the attack's configuration record
 * @param provenance versions and backend
 */
public record MembershipScores(String attack, double[] scores, int[] labels, double threshold,
        MembershipAttack.Config config, Provenance provenance) {

    /** @throws IllegalArgumentException if the arrays differ in length or a score is not finite */
    public MembershipScores {
        if (scores == null || labels == null || scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels must be equally long");
        }
        Check.finite(scores, "scores of " + attack);
        Check.finite("threshold", threshold);
        Check.notNull("config", config);
        scores = scores.clone();
        labels = labels.clone();
    }

    /** The scores of {@code attack}, made now. */
    static MembershipScores of(MembershipAttack attack, double[] scores, int[] labels, double threshold) {
        return new MembershipScores(attack.name(), scores, labels, threshold, attack.config(), Provenance.current());
    }

    @Override
    public double[] scores() {
        return scores.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }
}
