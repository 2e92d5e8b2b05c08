package dev.rampart.benchmarks.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.norm.Norm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTest {

    @TempDir
    Path dir;

    @Test
    void auditOfTheBundledModelOrdersAttacksAndWritesJson() throws IOException {
        Path out = dir.resolve("r/audit.json");
        AuditConfig c = AuditCommand.parse(new String[] {"--models", "standard", "--samples", "120", "--epsilons",
            "0.05,0.1", "--steps", "10", "--attacks", "fgsm,pgd,mifgsm", "--out", out.toString()});
        AuditReport report = Audit.run(c, null);
        AuditReport.ModelResult r = report.first();
        assertTrue(r.cleanAccuracy() > 0.8);
        for (double eps : new double[] {0.05, 0.1}) {
            double fgsm = r.row("FGSM", eps).robustAccuracy();
            double pgd = r.row("PGD-10", eps).robustAccuracy();
            double worst = r.row(AuditReport.WORST_CASE, eps).robustAccuracy();
            assertTrue(fgsm < r.cleanAccuracy());
            assertTrue(pgd <= fgsm);
            double mi = r.row("MI-FGSM-10", eps).robustAccuracy();
            assertTrue(mi < r.cleanAccuracy());
            assertTrue(worst <= Math.min(Math.min(fgsm, pgd), mi), "worst case is per example over attacks");
        }
        assertTrue(r.row("PGD-10", 0.1).robustAccuracy() <= r.row("PGD-10", 0.05).robustAccuracy());
        String json = Files.readString(out);
        assertTrue(json.contains("\"cleanAccuracy\"") && json.contains("\"worst case\"") && json.contains("\"provenance\""));
        assertTrue(report.table().contains("PGD-10"));
    }

    @Test
    void modelsSideBySideWithTheNewAttacks() throws IOException {
        AuditConfig c = AuditCommand.parse(new String[] {"--models", "standard,robust", "--samples", "60",
            "--epsilons", "0.05,0.1", "--attacks", "pgd,apgd-ce,square,deepfool", "--queries", "200", "--out", "none"});
        AuditReport report = Audit.run(c, null);
        assertEquals(2, report.models().size());
        AuditReport.ModelResult standard = report.models().get(0);
        AuditReport.ModelResult robust = report.models().get(1);
        for (double eps : new double[] {0.05, 0.1}) {
            assertTrue(robust.row("PGD-20", eps).robustAccuracy() > standard.row("PGD-20", eps).robustAccuracy(),
                    "the PGD-trained model is the more robust at " + eps);
            for (AuditReport.ModelResult m : report.models()) {
                double worst = m.row(AuditReport.WORST_CASE, eps).robustAccuracy();
                for (String a : new String[] {"PGD-20", "APGD-CE-100", "Square-200", "DeepFool"}) {
                    assertTrue(worst <= m.row(a, eps).robustAccuracy());
                }
            }
        }
        assertTrue(standard.row("DeepFool", 0.05).robustAccuracy() >= standard.row("DeepFool", 0.1).robustAccuracy());
        String table = report.table();
        assertTrue(table.contains("standard CNN") && table.contains("PGD-trained CNN"), table);
    }

    @Test
    void optionsParseAndBadOptionsNameThemselves() {
        AuditConfig c = AuditCommand.parse(new String[] {"--norm", "l2", "--attacks", "pgd", "--epsilons", "1,2",
            "--out", "none", "--restarts", "3"});
        assertEquals(Norm.L2, c.norm());
        assertEquals(List.of(AuditConfig.AttackKind.PGD), c.attacks());
        assertArrayEquals(new double[] {1, 2}, c.epsilons());
        assertEquals(3, c.pgdRestarts());
        assertNull(c.output());
        assertNull(AuditCommand.parse(new String[] {"--help"}));
        assertMessage(() -> AuditCommand.parse(new String[] {"--epsilons", "0.1,-1"}), "epsilons");
        assertMessage(() -> AuditCommand.parse(new String[] {"--samples", "ten"}), "--samples");
        assertMessage(() -> AuditCommand.parse(new String[] {"--attacks", "cw"}), "cw is an L2 attack");
        assertMessage(() -> AuditCommand.parse(new String[] {"--attacks", "bim"}), "bim");
        assertMessage(() -> AuditCommand.parse(new String[] {"--queries", "0"}), "squareQueries");
        assertEquals(List.of(AuditConfig.AttackKind.APGD_T, AuditConfig.AttackKind.AUTOATTACK),
                AuditCommand.parse(new String[] {"--attacks", "apgd-t,autoattack"}).attacks());
        assertMessage(() -> AuditCommand.parse(new String[] {"--steps", "0"}), "pgdSteps");
        assertMessage(() -> AuditCommand.parse(new String[] {"--bogus", "1"}), "--bogus");
        assertMessage(() -> AuditCommand.parse(new String[] {"--samples"}), "--samples");
    }

    @Test
    void missingOrCorruptModelFileIsNamed() throws IOException {
        Path missing = dir.resolve("nope.zip");
        IOException e = assertThrows(IOException.class, () -> Audit.run(config(missing), null));
        assertTrue(e.getMessage().contains("nope.zip"), e.getMessage());
        Path corrupt = dir.resolve("corrupt.zip");
        Files.write(corrupt, new byte[] {1, 2, 3, 4});
        e = assertThrows(IOException.class, () -> Audit.run(config(corrupt), null));
        assertTrue(e.getMessage().contains("corrupt.zip"), e.getMessage());
        byte[] whole;
        try (var in = AuditTest.class.getResourceAsStream(dev.rampart.core.model.zoo.BundledModels.REFERENCE_CNN)) {
            whole = in.readAllBytes();
        }
        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(IOException.class, () -> Audit.run(config(truncated), null));
        assertTrue(e.getMessage().contains("truncated.zip"), e.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> Audit.run(AuditCommand.parse(new String[] {"--samples", "5000", "--out", "none"}), null));
        assertTrue(tooMany.getMessage().contains("samples"), tooMany.getMessage());
    }

    private static AuditConfig config(Path model) {
        return AuditCommand.parse(new String[] {"--model", model.toString(), "--samples", "10", "--out", "none"});
    }

}
