package dev.rampart.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import java.io.InputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** On local[2]: the distributed evaluation equals the single-machine one example by example. */
class DistributedAutoAttackTest {

    static JavaSparkContext sc;
    static ShippedModel model;
    static LabeledData data;
    static final DistributedAutoAttack.Spec SPEC = new DistributedAutoAttack.Spec(Norm.LINF, 0.1, 7, 20, 10, 40);

    @BeforeAll
    static void setUp() throws Exception {
        sc = LocalSpark.start("rampart-test");
        try (InputStream in = BundledModels.class.getResourceAsStream(BundledModels.REFERENCE_CNN)) {
            model = ShippedModel.of("reference-cnn", in.readAllBytes(), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        }
        data = FashionMnist.bundledTest().head(70);
    }

    @AfterAll
    static void tearDown() {
        sc.close();
    }

    @Test
    void everyPartitioningGivesTheSingleMachineResultExampleByExample() {
        DistributedAutoAttack.Result local = DistributedAutoAttack.evaluateLocally(model, data, SPEC);
        assertTrue(local.robustAccuracy() < local.cleanAccuracy(), local.toString());
        for (int partitions : new int[] {2, 3}) {
            DistributedAutoAttack.Result spark = DistributedAutoAttack.evaluate(sc, model, data, SPEC, partitions);
            assertEquals(local.examples(), spark.examples(), partitions + " partitions");
            assertEquals(SPEC, spark.spec());
        }
        assertEquals(SPEC.seed(), local.seed());
        assertEquals("1.0.0-M2.1", local.provenance().nd4jVersion());
    }

    @Test
    void aMalformedRecordIsNamedByItsIndex() {
        LabeledData bad = new LabeledData("bad", data.features().dup(), data.labels(), 10);
        bad.features().putScalar(new long[] {37, 0, 14, 14}, Float.NaN);
        Exception e = assertThrows(Exception.class, () -> DistributedAutoAttack.evaluate(sc, model, bad, SPEC, 2));
        assertTrue(e.getMessage().contains("record 37: value NaN"), e.getMessage());
    }

    @Test
    void aModelThatCannotBeDeserializedFailsClearly() {
        ShippedModel broken = ShippedModel.of("broken.zip", new byte[] {80, 75, 3, 4, 1, 2, 3}, ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        Exception e = assertThrows(Exception.class, () -> DistributedAutoAttack.evaluate(sc, broken, data, SPEC, 2));
        assertTrue(e.getMessage().contains("model 'broken.zip' (sha256 ") && e.getMessage().contains(
                "could not be loaded"), e.getMessage());
    }

    @Test
    void badSettingsAreNamed() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> new DistributedAutoAttack.Spec(Norm.LINF,
                0.1, 1, 0, 10, 10));
        assertEquals("chunkSize must be positive, found 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DistributedAutoAttack.evaluate(sc, model, data, SPEC, 0));
        assertEquals("partitions must be at least 1, found 0", e.getMessage());
    }
}
