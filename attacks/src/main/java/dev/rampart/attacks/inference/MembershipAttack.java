package dev.rampart.attacks.inference;

import dev.rampart.core.model.Classifier;

/**
 * A membership-inference attack: scores candidate examples, higher meaning "more likely a member
 * of the target model's training set", with a decision threshold of its own. Attacks are immutable
 * and hold a validated configuration record; attacks that learn from shadow models are built on
 * them. Evaluate the scores against the truth with {@link MembershipEvaluation#of}.
 *
 * <pre>{@code
 * MembershipAttack lira = Lira.online(shadows);
 * MembershipScores s = lira.score(target, Candidates.of(shadows, 0, 1, 2, 3));
 * MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
 * }</pre>
 */
public interface MembershipAttack {

    /** What every membership attack's configuration record holds (nothing in common yet). */
    interface Config {
    }

    /** A short name for reports, such as {@code lira-online}. */
    String name();

    /** The attack's configuration record, valid by construction. */
    Config config();

    /**
     * Scores {@code candidates} as members of {@code target}'s training set, by queries to it.
     *
     * @throws IllegalArgumentException if the candidates do not fit the target or the attack
     *     (LiRA needs candidates of its shadows' population)
     */
    MembershipScores score(Classifier target, Candidates candidates);
}
