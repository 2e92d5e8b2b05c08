package dev.rampart.attacks.poisoning;

import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.random.Seeds;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A clean-label backdoor: only images of the target class are changed, and every label stays
 * true, so that no one reading the labels sees the poison. The model learns to tie the trigger to
 * the target class; at test time the trigger sends other classes' images there. Two attacks of the
 * family:
 * <ul>
 *   <li>SIG (Barni, Kallas &amp; Tondi, "A new backdoor attack in CNNs by training set corruption
 *       without label poisoning", ICIP 2019): the target-class images carry a {@link
 *       Trigger#signal sinusoidal signal}; at test time a stronger signal is usual;</li>
 *   <li>label-consistent (Turner, Tsipras &amp; Madry, "Label-consistent backdoor attacks", 2019):
 *       the target-class images are first made hard to classify by an untargeted evasion attack
 *       (the project's PGD, on a model the attacker trained, ideally adversarially), so that the
 *       model must rely on the trigger stamped on them afterwards.</li>
 * </ul>
 *
 * <pre>{@code
 * CleanLabelBackdoor sig = CleanLabelBackdoor.sig(Trigger.signal(0.08, 6), Trigger.signal(0.12, 6), 0, 0.05, 42);
 * EvasionAttack pgd = Pgd.builder(robustModel).epsilon(0.2).steps(20).build();
 * CleanLabelBackdoor lc = CleanLabelBackdoor.labelConsistent(Trigger.checkerboard(3, 0, 1, 25, 25), pgd, 0, 0.05, 42);
 * PoisonedData p = lc.poison(train);     // labels unchanged
 * LabeledData success = lc.attackTest(test);
 * }</pre>
 */
public final class CleanLabelBackdoor implements PoisoningAttack {

    /**
     * The attack's configuration.
     *
     * @param trigger stamped on the poisoned training images
     * @param testTrigger stamped on the attack test's images (often stronger than {@code trigger})
     * @param target the target class: the poisoned images are drawn from it
     * @param rate the share of the whole training set poisoned, in (0, 1); at most the target
     *     class's share
     * @param perturbation an untargeted evasion attack run on the chosen images before the trigger
     *     (label-consistent), or {@code null} (SIG)
     * @param seed fixes which examples are poisoned
     */
    public record Config(Trigger trigger, Trigger testTrigger, int target, double rate, EvasionAttack perturbation,
            long seed) implements PoisoningAttack.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("trigger", trigger);
            Check.notNull("testTrigger", testTrigger);
            if (target < 0) {
                throw new IllegalArgumentException("target must be a class (>= 0), found " + target);
            }
            Check.share("rate", rate);
        }
    }

    private final Config config;

    /** The attack of {@code config}. */
    public CleanLabelBackdoor(Config config) {
        this.config = Check.notNull("config", config);
    }

    /** SIG: {@code trainSignal} on {@code rate} of the training set, all of class {@code target}. */
    public static CleanLabelBackdoor sig(Trigger trainSignal, Trigger testSignal, int target, double rate, long seed) {
        return new CleanLabelBackdoor(new Config(trainSignal, testSignal, target, rate, null, seed));
    }

    /** Label-consistent: {@code perturbation} then {@code trigger} on target-class images. */
    public static CleanLabelBackdoor labelConsistent(Trigger trigger, EvasionAttack perturbation, int target,
            double rate, long seed) {
        Check.notNull("perturbation", perturbation);
        return new CleanLabelBackdoor(new Config(trigger, trigger, target, rate, perturbation, seed));
    }

    @Override
    public String name() {
        return config.perturbation() == null ? "SIG" : "label-consistent";
    }

    @Override
    public Config config() {
        return config;
    }

    /** The poisoned copy of {@code clean} (images in [0, 1]). */
    @Override
    public PoisonedData poison(LabeledData clean) {
        return poison(clean, InputDomain.UNIT);
    }

    /**
     * The poisoned copy of {@code clean}; labels are not changed.
     *
     * @throws IllegalArgumentException if the trigger does not fit, the target is not a class, or
     *     the target class has fewer examples than the rate asks for
     */
    public PoisonedData poison(LabeledData clean, InputDomain domain) {
        Check.notNull("clean", clean);
        config.trigger().check(clean.exampleShape(), domain);
        Check.label("target", config.target(), clean.numClasses());
        int[] y = clean.labels();
        int[] eligible = PoisonSampling.where(y, c -> c == config.target());
        int count = PoisonSampling.count(config.rate(), y.length);
        if (count > eligible.length) {
            throw new IllegalArgumentException("rate " + config.rate() + " asks for " + count
                    + " poisoned examples but the target class " + config.target() + " has only " + eligible.length
                    + " (a clean-label attack changes target-class images only)");
        }
        int[] chosen = PoisonSampling.choose(eligible, count, Seeds.derive(config.seed(), 1));
        INDArray x = clean.features().dup();
        INDArray images = Rows.gather(x, chosen);
        double meanFlip = 0;
        if (config.perturbation() != null) {
            int[] labels = new int[chosen.length];
            java.util.Arrays.fill(labels, config.target());
            long[] at = java.util.Arrays.stream(chosen).asLongStream().toArray();
            var r = config.perturbation().run(images, AttackGoal.untargeted(labels), at);
            images = r.adversarial();
            meanFlip = r.successRate();
        }
        Rows.scatter(x, chosen, config.trigger().stamp(images));
        LabeledData poisoned = new LabeledData(clean.name() + ":" + name().toLowerCase(java.util.Locale.ROOT), x, y,
                clean.numClasses());
        Map<String, Double> figures = config.perturbation() == null ? Map.of()
                : Map.of("perturbationSuccessRate", meanFlip);
        return new PoisonedData(poisoned, chosen, name(), config, figures,
                dev.rampart.core.report.Provenance.current());
    }

    /** The test images of every class but the target, with the test trigger, labelled as the target. */
    @Override
    public LabeledData attackTest(LabeledData test) {
        Check.notNull("test", test);
        config.testTrigger().check(test.exampleShape(), null);
        Check.label("target", config.target(), test.numClasses());
        int[] idx = PoisonSampling.where(test.labels(), c -> c != config.target());
        int[] y = new int[idx.length];
        java.util.Arrays.fill(y, config.target());
        return new LabeledData(test.name() + ":triggered", config.testTrigger().stamp(Rows.gather(test.features(),
                idx)), y, test.numClasses());
    }
}
