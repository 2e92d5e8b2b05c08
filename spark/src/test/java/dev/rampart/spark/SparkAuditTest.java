package dev.rampart.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.audit.Audit;
import dev.rampart.audit.AuditConfig;
import dev.rampart.audit.AuditReport;
import dev.rampart.audit.ChunkRunner;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.audit.AuditListener;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.norm.Norm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The audit on local[2] equals the single-machine audit: every row, per class, and the gallery. */
class SparkAuditTest {

    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() {
        sc = LocalSpark.start("rampart-audit-test");
    }

    @AfterAll
    static void tearDown() {
        sc.close();
    }

    private static AuditConfig config(List<String> models, List<AuditConfig.AttackKind> attacks) {
        return new AuditConfig(models, InputOptions.DEFAULT, DataSource.Spec.BUNDLED, 60, new double[] {0.05, 0.1},
                attacks, Norm.LINF, 10, 2, 60, 20, 3, 4);
    }

    private static List<Audit.Target> targets(AuditConfig c, DataSource.Loaded data) throws Exception {
        List<Audit.Target> out = new java.util.ArrayList<>();
        for (String m : c.models()) {
            ModelSource.Loaded l = ModelSource.load(m, c.input(), DataSource.exampleShape(data));
            out.add(new Audit.Target(l.name(), l.description(), l.model(), ShippedModel.of(m, c.input(),
                    DataSource.exampleShape(data))));
        }
        return out;
    }

    @Test
    void theSparkAuditEqualsTheLocalOneRowByRowAndClassByClass() throws Exception {
        // AutoAttack on Spark has its own example-by-example test (DistributedAutoAttackTest)
        AuditConfig c = config(List.of("standard"), List.of(AuditConfig.AttackKind.PGD, AuditConfig.AttackKind.SQUARE,
                AuditConfig.AttackKind.DEEPFOOL));
        DataSource.Loaded data = Audit.loadData(c);
        AuditReport local = Audit.run(c, targets(c, data), data, AuditListener.NONE,
                ChunkRunner.LOCAL);
        for (int partitions : new int[] {2}) { // 3 chunks of 20 examples: one partition runs two
            AuditReport spark = Audit.run(c, targets(c, data), data, AuditListener.NONE,
                    new SparkChunkRunner(sc, partitions));
            List<AuditReport.Row> a = local.models().get(0).rows();
            List<AuditReport.Row> b = spark.models().get(0).rows();
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                String what = a.get(i).attack() + " at " + a.get(i).epsilon() + ", " + partitions + " partitions";
                assertEquals(a.get(i).robust(), b.get(i).robust(), what);
                assertArrayEquals(a.get(i).classRobust(), b.get(i).classRobust(), what);
                assertEquals(a.get(i).medianPerturbation(), b.get(i).medianPerturbation(), what);
            }
            assertEquals(local.models().get(0).warnings(), spark.models().get(0).warnings());
            assertEquals(local.models().get(0).gallery().stream().map(AuditReport.GalleryItem::index).toList(),
                    spark.models().get(0).gallery().stream().map(AuditReport.GalleryItem::index).toList());
        }
        assertTrue(local.models().get(0).rows().get(0).robust() < 60, "PGD fools some examples");
    }

    @Test
    void aModelFileThatCannotBeLoadedOnTheExecutorsFailsWithItsName() throws Exception {
        AuditConfig c = config(List.of("standard"), List.of(AuditConfig.AttackKind.FGSM));
        DataSource.Loaded data = Audit.loadData(c);
        ModelSource.Loaded l = ModelSource.load("standard", c.input(), DataSource.exampleShape(data));
        Path bad = Files.createTempFile("broken", ".zip");
        Files.write(bad, new byte[] {80, 75, 3, 4, 9, 9, 9});
        ShippedModel ref = ShippedModel.of(bad.toString(), InputOptions.DEFAULT, DataSource.exampleShape(data));
        Exception e = assertThrows(IllegalArgumentException.class, () -> Audit.run(c, List.of(new Audit.Target("broken",
                "broken", l.model(), ref)), data, AuditListener.NONE,
                new SparkChunkRunner(sc, 2)));
        assertTrue(e.getMessage().contains("could not be loaded on this executor") && e.getMessage().contains(
                bad.getFileName().toString()), e.getMessage());
        Files.delete(bad);
    }

    @Test
    void aMalformedRecordFailsTheJobWithItsIndex() throws Exception {
        AuditConfig c = config(List.of("standard"), List.of(AuditConfig.AttackKind.FGSM));
        DataSource.Loaded data = Audit.loadData(c);
        List<Audit.Target> t = targets(c, data);
        float[] x = new float[2 * 784];
        x[784 + 100] = Float.NaN;
        List<ChunkRunner.Chunk> chunks = List.of(new ChunkRunner.Chunk(40, new long[] {2, 1, 28, 28}, x,
                new int[] {0, 1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkChunkRunner(sc, 1)
                .map(t.get(0).model(), t.get(0).shipment(), chunks, (m, ch) -> ch.first()));
        assertTrue(e.getMessage().contains("record 41: value NaN at position 100"), e.getMessage());
    }
}
