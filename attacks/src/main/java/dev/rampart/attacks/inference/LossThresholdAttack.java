package dev.rampart.attacks.inference;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import org.apache.commons.math3.stat.descriptive.moment.Mean;

/**
 * The loss-threshold membership attack of Yeom, Giacomelli, Fredrikson &amp; Jha ("Privacy risk in
 * machine learning: analyzing the connection to overfitting", CSF 2018): a candidate whose
 * cross-entropy loss under the target model is at most the model's expected training loss is
 * called a member. The score is the negated loss, so its ROC needs no threshold at all; the
 * threshold matters for the balanced accuracy only. Yeom et al. assume the attacker knows the
 * average training loss; {@link #fromShadows} estimates it from shadow models instead.
 *
 * <pre>{@code
 * MembershipScores s = new LossThresholdAttack(0.05).score(target, Candidates.of(suspects));
 * MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
 * }</pre>
 */
public final class LossThresholdAttack implements MembershipAttack {

    /**
     * The attack's configuration.
     *
     * @param lossThreshold the expected training loss: lower losses are called members
     */
    public record Config(double lossThreshold) implements MembershipAttack.Config {
        /** @throws IllegalArgumentException if negative or not finite */
        public Config {
            Check.finiteNotNegative("lossThreshold", lossThreshold);
        }
    }

    private final Config config;

    /**
     * @param lossThreshold the expected training loss: lower losses are called members
     * @throws IllegalArgumentException if negative or not finite
     */
    public LossThresholdAttack(double lossThreshold) {
        this.config = new Config(lossThreshold);
    }

    /** The threshold at the shadow models' mean loss on their own training examples. */
    public static LossThresholdAttack fromShadows(ShadowModels shadows) {
        Check.notNull("shadows", shadows);
        Mean mean = new Mean();
        for (int s = 0; s < shadows.count(); s++) {
            double[] loss = shadows.answers(s).loss();
            for (int i = 0; i < loss.length; i++) {
                if (shadows.in(s, i)) {
                    mean.increment(loss[i]);
                }
            }
        }
        return new LossThresholdAttack(mean.getResult());
    }

    @Override
    public String name() {
        return "loss-threshold";
    }

    @Override
    public Config config() {
        return config;
    }

    /** The threshold on the loss. */
    public double lossThreshold() {
        return config.lossThreshold();
    }

    /** Scores {@code candidates} by the negated loss of {@code target} (queries only). */
    @Override
    public MembershipScores score(Classifier target, Candidates candidates) {
        Check.notNull("candidates", candidates);
        double[] loss = Confidences.of(target, candidates.data()).loss();
        double[] s = new double[loss.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = -loss[i];
        }
        // a loss equal to the threshold is a member: score -loss >= -threshold, strictly above its next float down
        return MembershipScores.of(this, s, candidates.data().labels(), Math.nextDown(-config.lossThreshold()));
    }
}
