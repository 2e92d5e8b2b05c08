package dev.rampart.attacks.inference;

/**
 * A membership attack's verdict on candidate examples: a score per candidate, higher meaning "more
 * likely a member of the target's training set", and the attack's own decision threshold (a
 * candidate scoring above it is called a member). Evaluate against the truth with
 * {@link MembershipEvaluation#of}.
 *
 * <pre>{@code
 * MembershipScores s = new LossThresholdAttack(meanTrainingLoss).score(target, candidates);
 * MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
 * }</pre>
 *
 * @param attack the attack's name
 * @param scores per candidate
 * @param labels each candidate's class, for the per-class breakdown
 * @param threshold the attack's decision threshold on the scores
 */
public record MembershipScores(String attack, double[] scores, int[] labels, double threshold) {

    /** @throws IllegalArgumentException if the arrays differ in length or a score is NaN */
    public MembershipScores {
        if (scores == null || labels == null || scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels must be equally long");
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " of " + attack + " is NaN");
            }
        }
        scores = scores.clone();
        labels = labels.clone();
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
