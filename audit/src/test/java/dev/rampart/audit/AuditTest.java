package dev.rampart.audit;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.report.ConsoleReport;
import dev.rampart.core.norm.Norm;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditTest {

    private static AuditConfig config(List<String> models, int samples, double[] eps, List<AuditConfig.AttackKind> attacks,
            int steps, int queries) {
        return new AuditConfig(models, InputOptions.DEFAULT, DataSource.Spec.BUNDLED, samples, eps, attacks, Norm.LINF,
                steps, 1, queries, 256, 0, 4);
    }

    @Test
    void auditOfTheBundledModelOrdersAttacksPerExample() throws IOException {
        AuditReport report = Audit.run(config(List.of("standard"), 120, new double[] {0.05, 0.1},
                List.of(AuditConfig.AttackKind.FGSM, AuditConfig.AttackKind.PGD, AuditConfig.AttackKind.MIFGSM), 10,
                100), AuditListener.NONE);
        AuditReport.ModelResult r = report.first();
        assertTrue(r.cleanAccuracy() > 0.8);
        for (double eps : new double[] {0.05, 0.1}) {
            double fgsm = r.row("fgsm", eps).robustAccuracy();
            double pgd = r.row("pgd", eps).robustAccuracy();
            double mi = r.row("mifgsm", eps).robustAccuracy();
            double worst = r.row(AuditReport.WORST_CASE, eps).robustAccuracy();
            assertTrue(fgsm < r.cleanAccuracy());
            assertTrue(pgd <= fgsm);
            assertTrue(mi < r.cleanAccuracy());
            assertTrue(worst <= Math.min(Math.min(fgsm, pgd), mi), "worst case is per example over attacks");
            AuditReport.Row row = r.row("pgd", eps);
            assertTrue(row.interval()[0] <= row.robustAccuracy() && row.robustAccuracy() <= row.interval()[1]);
            assertEquals(row.robust(), java.util.Arrays.stream(row.classRobust()).sum(), "per class sums to the total");
            // success is counted among the examples classified correctly before the attack
            int fooled = r.correct() - row.robust();
            assertEquals((double) fooled / r.correct(), row.successRate(), 1e-12);
        }
        assertTrue(r.row("pgd", 0.1).robustAccuracy() <= r.row("pgd", 0.05).robustAccuracy());
        assertEquals(4, r.gallery().size(), "the HTML gallery keeps --gallery examples");
        AuditReport.GalleryItem g = r.gallery().get(0);
        assertTrue(g.cleanClass() == g.label() && g.adversarialClass() != g.label());
        assertEquals(784, g.saliency().length);
        String table = ConsoleReport.table(report);
        assertTrue(table.contains("PGD-10") && table.contains("still classified correctly") && table.contains("0.05 "),
                table);
    }

    @Test
    void modelsSideBySideWithTheNewAttacks() throws IOException {
        AuditReport report = Audit.run(config(List.of("standard", "robust"), 60, new double[] {0.05, 0.1},
                List.of(AuditConfig.AttackKind.PGD, AuditConfig.AttackKind.APGD_CE, AuditConfig.AttackKind.SQUARE,
                        AuditConfig.AttackKind.DEEPFOOL), 20, 200), AuditListener.NONE);
        assertEquals(2, report.models().size());
        AuditReport.ModelResult standard = report.models().get(0);
        AuditReport.ModelResult robust = report.models().get(1);
        for (double eps : new double[] {0.05, 0.1}) {
            assertTrue(robust.row("pgd", eps).robustAccuracy() > standard.row("pgd", eps).robustAccuracy(),
                    "the PGD-trained model is the more robust at " + eps);
            for (AuditReport.ModelResult m : report.models()) {
                double worst = m.row(AuditReport.WORST_CASE, eps).robustAccuracy();
                for (String a : new String[] {"pgd", "apgd-ce", "square", "deepfool"}) {
                    assertTrue(worst <= m.row(a, eps).robustAccuracy());
                }
            }
        }
        assertTrue(standard.row("deepfool", 0.05).robustAccuracy() >= standard.row("deepfool", 0.1).robustAccuracy());
    }

    /**
     * The configuration checks itself in its own field names (the tool maps them to its options)
     * and reports every invalid field at once.
     */
    @Test
    void configurationsNameEveryInvalidField() {
        assertMessage(() -> config(List.of("standard"), 0, new double[] {0.1}, List.of(AuditConfig.AttackKind.PGD), 1,
                1), "samples must be positive, found 0");
        assertMessage(() -> config(List.of("standard"), 10, new double[] {0.1}, List.of(AuditConfig.AttackKind.PGD), 0,
                1), "pgdSteps must be positive, found 0");
        assertMessage(() -> config(List.of("standard"), 10, new double[] {-1}, List.of(AuditConfig.AttackKind.PGD), 1,
                1), "epsilons must be positive and finite, found -1.0");
        assertMessage(() -> config(List.of("standard"), 10, new double[] {0.1}, List.of(AuditConfig.AttackKind.CW), 1,
                1), "the norm must be L2");
        InvalidConfigException all = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class,
                () -> config(List.of("standard"), 0, new double[] {Double.NaN}, List.of(AuditConfig.AttackKind.PGD), 0,
                        0));
        assertEquals(List.of("samples", "epsilons", "pgdSteps", "squareQueries"), all.problems().stream()
                .map(InvalidConfigException.Problem::field).toList());
        assertMessage(() -> AuditConfig.AttackKind.parse("bim"), "unknown attack 'bim'");
    }
}
