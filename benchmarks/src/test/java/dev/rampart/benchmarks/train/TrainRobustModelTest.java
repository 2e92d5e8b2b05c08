package dev.rampart.benchmarks.train;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.benchmarks.audit.Audit;
import dev.rampart.defenses.training.AdversarialTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainRobustModelTest {

    @TempDir
    Path dir;

    @Test
    void settingsHaveTheDocumentedDefaults() {
        TrainRobustModel.Settings s = TrainRobustModel.Settings.parse(new String[0]);
        assertEquals(AdversarialTraining.Method.PGD, s.method());
        assertEquals(12, s.epochs());
        assertEquals(9, s.lrDrop());
        assertEquals(1.0, s.advFraction());
        assertEquals(0.0, s.average(), "weight averaging is off by default");
        assertEquals("cnn", s.model());
        assertTrue(s.keepBest());
        assertFalse(s.checkpoints());
        TrainRobustModel.Settings t = TrainRobustModel.Settings.parse(new String[] {"--method", "trades", "--beta",
            "3", "--keep", "last", "--checkpoints", "--adv-fraction", "0.5", "--average", "0.999", "--model", "strided-cnn"});
        assertEquals(AdversarialTraining.Method.TRADES, t.method());
        assertEquals(3.0, t.beta());
        assertEquals(0.5, t.advFraction());
        assertEquals(0.999, t.average());
        assertEquals("strided-cnn", t.model());
        assertFalse(t.keepBest());
        assertTrue(t.checkpoints());
    }

    @Test
    void invalidSettingsAreRejectedBeforeAnyDataIsLoaded() {
        assertMessage(() -> TrainRobustModel.Settings.parse(new String[] {"--method", "fgsm"}),
                "--method must be pgd, fast-fgsm or trades, found fgsm");
        assertMessage(() -> TrainRobustModel.Settings.parse(new String[] {"--keep", "first"}),
                "--keep must be best or last, found first");
        assertMessage(() -> TrainRobustModel.Settings.parse(new String[] {"--lr", "0"}), "--lr must be positive");
        assertMessage(() -> TrainRobustModel.Settings.parse(new String[] {"--model", "lenet"}),
                "--model must be one of [cnn, mlp, strided-cnn], found lenet");
        assertMessage(() -> TrainRobustModel.Settings.parse(new String[] {"--lr-drop", "-1"}), "--lr-drop");
        assertMessage(() -> TrainRobustModel.Settings.parse(new String[] {"--epochs", "x"}), "--epochs needs an integer");
    }

    @Test
    void writesTheKeptModelAndOneCheckpointPerEpoch() throws Exception {
        Path out = dir.resolve("m.zip");
        TrainRobustModel.main(new String[] {"--method", "fast-fgsm", "--epochs", "2", "--warmup", "0",
            "--validation", "3800", "--lr-drop", "0", "--keep", "last", "--checkpoints", "--out", out.toString()});
        for (String name : new String[] {"m.zip", "m-epoch1.zip", "m-epoch2.zip"}) {
            assertTrue(Files.size(dir.resolve(name)) > 100_000, name);
        }
        double[] last = Audit.load(out.toString()).network().params().toDoubleVector();
        double[] second = Audit.load(dir.resolve("m-epoch2.zip").toString()).network().params().toDoubleVector();
        double[] first = Audit.load(dir.resolve("m-epoch1.zip").toString()).network().params().toDoubleVector();
        assertEquals(java.util.Arrays.toString(second), java.util.Arrays.toString(last), "--keep last writes epoch 2");
        assertFalse(java.util.Arrays.equals(first, second), "each checkpoint holds its own epoch");
    }
}
