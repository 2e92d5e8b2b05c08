package dev.rampart.audit;

import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.core.norm.Norm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a robustness audit runs. The record checks itself when it is made and reports every invalid
 * field at once ({@link InvalidConfigException}), in its own field names: the command-line tool maps
 * them to its options, and checks nothing of its own.
 *
 * @param models the models, side by side: {@code standard} and {@code robust} are the bundled
 *     reference CNNs, anything else a DL4J zip or a Keras HDF5 file
 * @param input how data is fed to the models (shape, channel order, domain, standardization)
 * @param data the test data
 * @param samples test examples to attack (the first ones)
 * @param epsilons budgets, each attacked separately
 * @param attacks attacks to run at every budget
 * @param norm the threat model's norm
 * @param pgdSteps PGD iterations
 * @param pgdRestarts PGD restarts
 * @param squareQueries the query budget per example of Square (alone and in AutoAttack), HopSkipJump and
 *     the Boundary attack
 * @param batchSize examples per forward-backward pass
 * @param seed fixes every random choice
 * @param gallery adversarial examples to keep per model for the HTML report
 */
public record AuditConfig(List<String> models, InputOptions input, DataSource.Spec data, int samples,
        double[] epsilons, List<AttackKind> attacks, Norm norm, int pgdSteps, int pgdRestarts, int squareQueries,
        int batchSize, long seed, int gallery) {

    /**
     * The attacks an audit can run. APGD runs 100 iterations, APGD-T against the 9 most likely other
     * classes, C&amp;W 9 x 100, DeepFool 50, MI-FGSM 10; AUTOATTACK is the whole ensemble with its
     * gradient-masking checks. IBP, CROWN_IBP and CROWN are not attacks but certificates (bound
     * propagation): their rows give the verified accuracy beside the empirical worst case, which
     * they never enter.
     */
    public enum AttackKind {
        FGSM, PGD, MIFGSM, APGD_CE, APGD_T, CW, DEEPFOOL, SQUARE, HSJ, BOUNDARY, AUTOATTACK, IBP, CROWN_IBP, CROWN;

        /** Whether this is a certificate (a lower bound on robust accuracy) rather than an attack. */
        public boolean certificate() {
            return this == IBP || this == CROWN_IBP || this == CROWN;
        }

        /** Whether the attack only queries the model (it runs on black boxes, which give no gradients). */
        public boolean queryOnly() {
            return this == SQUARE || this == HSJ || this == BOUNDARY;
        }

        /** The option's spelling, such as {@code apgd-ce}. */
        public String option() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * The kind spelled {@code s} on the command line.
         *
         * @throws IllegalArgumentException naming the unknown attack and the known ones
         */
        public static AttackKind parse(String s) {
            for (AttackKind k : values()) {
                if (k.option().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown attack '" + s + "' (known: " + names() + ")");
        }

        /** The option spellings, comma-separated. */
        public static String names() {
            return String.join(", ", Arrays.stream(values()).map(AttackKind::option).toList());
        }
    }

    /** MI-FGSM's steps in an audit. */
    public static final int MIFGSM_STEPS = 10;
    /** APGD's iterations in an audit. */
    public static final int APGD_STEPS = 100;

    /**
     * The defaults: both bundled models, bundled data, 1,000 images, L-inf at 0.05, 0.1 and 0.2,
     * FGSM and PGD-20.
     */
    public static AuditConfig defaults() {
        return new AuditConfig(List.of("standard", "robust"), InputOptions.DEFAULT, DataSource.Spec.BUNDLED, 1000,
                new double[] {0.05, 0.1, 0.2}, List.of(AttackKind.FGSM, AttackKind.PGD), Norm.LINF, 20, 1, 5000,
                256, 0, 8);
    }

    /**
     * @throws InvalidConfigException naming every invalid field and its value
     */
    public AuditConfig {
        List<InvalidConfigException.Problem> p = new ArrayList<>();
        if (models == null || models.isEmpty()) {
            p.add(problem("models", "must list at least one model"));
        } else if (models.stream().anyMatch(m -> m == null || m.isBlank())) {
            p.add(problem("models", "has an empty name (name standard, robust or model files)"));
        }
        if (input == null) {
            p.add(problem("input", "must not be null"));
        }
        if (data == null) {
            p.add(problem("data", "must not be null"));
        }
        if (samples <= 0) {
            p.add(problem("samples", "must be positive, found " + samples));
        }
        if (epsilons == null || epsilons.length == 0) {
            p.add(problem("epsilons", "must list at least one budget"));
        } else {
            for (double e : epsilons) {
                if (!(e > 0) || !Double.isFinite(e)) {
                    p.add(problem("epsilons", "must be positive and finite, found " + e));
                }
            }
        }
        if (attacks == null || attacks.isEmpty()) {
            p.add(problem("attacks", "must list at least one attack"));
        }
        if (norm == null) {
            p.add(problem("norm", "must not be null"));
        } else if (attacks != null && attacks.contains(AttackKind.CW) && norm != Norm.L2) {
            p.add(problem("attacks", "cw is an L2 attack; the norm must be L2, found " + norm));
        } else if (attacks != null && (attacks.contains(AttackKind.HSJ) || attacks.contains(AttackKind.BOUNDARY))
                && norm != Norm.L2) {
            p.add(problem("attacks", (attacks.contains(AttackKind.HSJ) ? "hsj" : "boundary")
                    + " is an L2 attack; the norm must be L2, found " + norm));
        }
        positive(p, "pgdSteps", pgdSteps);
        positive(p, "pgdRestarts", pgdRestarts);
        positive(p, "squareQueries", squareQueries);
        positive(p, "batchSize", batchSize);
        if (gallery < 0) {
            p.add(problem("gallery", "must not be negative, found " + gallery));
        }
        InvalidConfigException.throwIfAny(p);
        models = List.copyOf(models);
        epsilons = epsilons.clone();
        attacks = List.copyOf(attacks);
    }

    private static InvalidConfigException.Problem problem(String field, String rule) {
        return new InvalidConfigException.Problem(field, rule);
    }

    private static void positive(List<InvalidConfigException.Problem> p, String field, int value) {
        if (value <= 0) {
            p.add(problem(field, "must be positive, found " + value));
        }
    }

    @Override
    public double[] epsilons() {
        return epsilons.clone();
    }
}
