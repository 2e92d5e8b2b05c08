package dev.rampart.benchmarks.audit;

import dev.rampart.core.norm.Norm;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What a robustness audit runs.
 *
 * @param modelFile a DL4J MultiLayerNetwork zip, or {@code null} for the bundled reference CNN
 * @param dataDir a Fashion-MNIST-format directory, or {@code null} for the bundled sample
 * @param samples test examples to attack (the first ones of the test split)
 * @param epsilons budgets, each attacked separately
 * @param attacks attacks to run at every budget
 * @param norm the threat model's norm
 * @param pgdSteps PGD iterations
 * @param pgdRestarts PGD restarts
 * @param batchSize examples per forward-backward pass
 * @param seed fixes every random choice
 * @param output where the JSON report goes, or {@code null} for none
 */
public record AuditConfig(Path modelFile, Path dataDir, int samples, double[] epsilons, List<AttackKind> attacks,
        Norm norm, int pgdSteps, int pgdRestarts, int batchSize, long seed, Path output) {

    /** The attacks an audit can run (MI-FGSM with 10 steps). */
    public enum AttackKind { FGSM, PGD, MIFGSM }

    /** MI-FGSM's steps in an audit. */
    public static final int MIFGSM_STEPS = 10;

    /** The defaults: bundled model and data, 1,000 images, L-inf at 0.05, 0.1 and 0.2, FGSM and PGD-20. */
    public static AuditConfig defaults() {
        return new AuditConfig(null, null, 1000, new double[] {0.05, 0.1, 0.2},
                List.of(AttackKind.FGSM, AttackKind.PGD), Norm.LINF, 20, 1, 256, 0, Path.of("reports/audit.json"));
    }

    /**
     * @throws IllegalArgumentException naming the first invalid value
     */
    public AuditConfig {
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
        if (pgdSteps <= 0) {
            throw new IllegalArgumentException("pgdSteps must be positive, found " + pgdSteps);
        }
        if (pgdRestarts <= 0) {
            throw new IllegalArgumentException("pgdRestarts must be positive, found " + pgdRestarts);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        epsilons = epsilons.clone();
        attacks = List.copyOf(attacks);
    }

    @Override
    public double[] epsilons() {
        return epsilons.clone();
    }

    @Override
    public String toString() {
        return "AuditConfig[model=" + (modelFile == null ? "bundled" : modelFile) + ", data="
                + (dataDir == null ? "bundled" : dataDir) + ", samples=" + samples + ", epsilons="
                + Arrays.toString(epsilons) + ", attacks=" + attacks + ", norm=" + norm + ", pgdSteps=" + pgdSteps
                + ", pgdRestarts=" + pgdRestarts + ", seed=" + seed + "]";
    }
}
