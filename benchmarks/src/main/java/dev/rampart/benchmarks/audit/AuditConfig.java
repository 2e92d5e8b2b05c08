package dev.rampart.benchmarks.audit;

import dev.rampart.core.norm.Norm;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a robustness audit runs.
 *
 * @param models the models, side by side: {@code standard} and {@code robust} are the bundled
 *     reference CNNs, anything else a DL4J MultiLayerNetwork zip
 * @param dataDir a Fashion-MNIST-format directory, or {@code null} for the bundled sample
 * @param samples test examples to attack (the first ones of the test split)
 * @param epsilons budgets, each attacked separately
 * @param attacks attacks to run at every budget
 * @param norm the threat model's norm
 * @param pgdSteps PGD iterations
 * @param pgdRestarts PGD restarts
 * @param squareQueries Square's query budget (alone and in AutoAttack)
 * @param batchSize examples per forward-backward pass
 * @param seed fixes every random choice
 * @param output where the JSON report goes, or {@code null} for none
 */
public record AuditConfig(List<String> models, Path dataDir, int samples, double[] epsilons,
        List<AttackKind> attacks, Norm norm, int pgdSteps, int pgdRestarts, int squareQueries, int batchSize,
        long seed, Path output) {

    /**
     * The attacks an audit can run. APGD runs 100 iterations, APGD-T against the 9 most likely other
     * classes, C&amp;W 9 x 100, DeepFool 50, MI-FGSM 10; AUTOATTACK is the whole ensemble with its
     * gradient-masking checks.
     */
    public enum AttackKind {
        FGSM, PGD, MIFGSM, APGD_CE, APGD_T, CW, DEEPFOOL, SQUARE, AUTOATTACK;

        /** The option's spelling, such as {@code apgd-ce}. */
        public String option() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The kind spelled {@code s} on the command line. */
        public static AttackKind parse(String s) {
            for (AttackKind k : values()) {
                if (k.option().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--attacks: unknown attack '" + s + "' (known: "
                    + String.join(", ", Arrays.stream(values()).map(AttackKind::option).toList()) + ")");
        }
    }

    /** Name of the bundled standard reference CNN. */
    public static final String STANDARD = "standard";
    /** Name of the bundled adversarially trained reference CNN. */
    public static final String ROBUST = "robust";
    /** MI-FGSM's steps in an audit. */
    public static final int MIFGSM_STEPS = 10;
    /** APGD's iterations in an audit. */
    public static final int APGD_STEPS = 100;

    /**
     * The defaults: both bundled models, bundled data, 1,000 images, L-inf at 0.05, 0.1 and 0.2,
     * FGSM and PGD-20.
     */
    public static AuditConfig defaults() {
        return new AuditConfig(List.of(STANDARD, ROBUST), null, 1000, new double[] {0.05, 0.1, 0.2},
                List.of(AttackKind.FGSM, AttackKind.PGD), Norm.LINF, 20, 1, 5000, 256, 0,
                Path.of("reports/audit.json"));
    }

    /**
     * @throws IllegalArgumentException naming the first invalid value
     */
    public AuditConfig {
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("models must list at least one model");
        }
        if (samples <= 0) {
            throw new IllegalArgumentException("samples must be positive, found " + samples);
        }
        if (epsilons == null || epsilons.length == 0) {
            throw new IllegalArgumentException("epsilons must list at least one budget");
        }
        for (double e : epsilons) {
            if (!(e > 0) || !Double.isFinite(e)) {
                throw new IllegalArgumentException("epsilons must be positive and finite, found " + e);
            }
        }
        if (attacks == null || attacks.isEmpty()) {
            throw new IllegalArgumentException("attacks must list at least one attack");
        }
        if (norm == null) {
            throw new IllegalArgumentException("norm must not be null");
        }
        if (attacks.contains(AttackKind.CW) && norm != Norm.L2) {
            throw new IllegalArgumentException("attack cw is an L2 attack; use norm L2, found " + norm);
        }
        if (pgdSteps <= 0) {
            throw new IllegalArgumentException("pgdSteps must be positive, found " + pgdSteps);
        }
        if (pgdRestarts <= 0) {
            throw new IllegalArgumentException("pgdRestarts must be positive, found " + pgdRestarts);
        }
        if (squareQueries <= 0) {
            throw new IllegalArgumentException("squareQueries must be positive, found " + squareQueries);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        models = List.copyOf(models);
        epsilons = epsilons.clone();
        attacks = List.copyOf(attacks);
    }

    @Override
    public double[] epsilons() {
        return epsilons.clone();
    }

    @Override
    public String toString() {
        return "AuditConfig[models=" + models + ", data=" + (dataDir == null ? "bundled" : dataDir) + ", samples="
                + samples + ", epsilons=" + Arrays.toString(epsilons) + ", attacks="
                + attacks.stream().map(AttackKind::option).toList() + ", norm=" + norm + ", pgdSteps=" + pgdSteps
                + ", pgdRestarts=" + pgdRestarts + ", seed=" + seed + "]";
    }
}
