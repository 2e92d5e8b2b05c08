package dev.rampart.attacks.extraction;

import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import java.util.Locale;

/**
 * A transfer attack (Papernot et al. 2017): adversarial examples crafted white-box on a substitute
 * are sent to the victim. The victim is only queried for its top-1 answers.
 *
 * <pre>{@code
 * EvasionAttack pgd = Pgd.builder(substitute).epsilon(0.1).steps(20).seed(1).build();
 * TransferAttack.Result t = TransferAttack.evaluate(pgd, victim, test);
 * t.transferRate();   // share of the victim's correct answers turned wrong
 * }</pre>
 */
public final class TransferAttack {

    private TransferAttack() {
    }

    /**
     * The outcome on the victim.
     *
     * @param examples inputs attacked
     * @param victimCorrect inputs the victim classified correctly before the attack
     * @param substituteSuccess share of all inputs on which the attack fooled the substitute
     * @param transferRate share of {@code victimCorrect} that the victim misclassifies after the attack
     * @param transferRateWhenSubstituteFooled the same, among those on which the substitute was fooled
     * @param epsilon the attack's budget
     */
    public record Result(int examples, int victimCorrect, double substituteSuccess, double transferRate,
            double transferRateWhenSubstituteFooled, double epsilon) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "epsilon %.3g: substitute fooled on %.4f, transfer to the victim %.4f"
                    + " of its %d correct answers (%.4f where the substitute was fooled)", epsilon, substituteSuccess,
                    transferRate, victimCorrect, transferRateWhenSubstituteFooled);
        }
    }

    /**
     * Runs {@code attack} (built on the substitute) untargeted on {@code data} and scores the
     * adversarial examples on {@code victim}.
     *
     * @throws IllegalArgumentException naming a null argument or inputs that do not fit the victim
     */
    public static Result evaluate(EvasionAttack attack, Classifier victim, LabeledData data) {
        if (attack == null || victim == null || data == null) {
            throw new IllegalArgumentException("attack, victim and data must not be null");
        }
        Inputs.checkBatch(victim, data.features(), "data");
        int[] clean = victim.predictClasses(data.features().dup());
        EvasionResult r = attack.run(data.features(), data.labels());
        int[] adv = victim.predictClasses(r.adversarial().dup());
        int correct = 0;
        int turned = 0;
        int fooledCorrect = 0;
        int fooledTurned = 0;
        for (int i = 0; i < clean.length; i++) {
            if (clean[i] != data.labels()[i]) {
                continue;
            }
            correct++;
            boolean wrong = adv[i] != data.labels()[i];
            turned += wrong ? 1 : 0;
            if (r.success()[i]) {
                fooledCorrect++;
                fooledTurned += wrong ? 1 : 0;
            }
        }
        return new Result(clean.length, correct, r.successRate(), correct == 0 ? 0 : (double) turned / correct,
                fooledCorrect == 0 ? 0 : (double) fooledTurned / fooledCorrect, attack.epsilon());
    }
}
