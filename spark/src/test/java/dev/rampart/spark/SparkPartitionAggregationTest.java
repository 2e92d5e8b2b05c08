package dev.rampart.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.defenses.certification.PartitionAggregation;
import dev.rampart.defenses.certification.PoisoningCertificates;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Partition aggregation's models trained as Spark tasks on local[2] vote as the ones trained here. */
class SparkPartitionAggregationTest {

    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() {
        sc = LocalSpark.start("rampart-dpa-test");
    }

    @AfterAll
    static void tearDown() {
        sc.close();
    }

    @Test
    void anEnsembleTrainedOnSparkEqualsOneTrainedHere() throws Exception {
        LabeledData train = FashionMnist.bundledTrain().head(400);
        LabeledData test = FashionMnist.bundledTest().head(100);
        PartitionAggregation.Builder b = PartitionAggregation.builder(SparkShadowModelsTest.MLP).partitions(4).seed(3);
        PartitionAggregation.Ensemble here = b.build().fit(train);
        List<Integer> heard = new ArrayList<>();
        PartitionAggregation.Ensemble spark = b.runner(SparkPartitionAggregation.runner(sc)).build()
                .fit(train, heard::add);
        assertEquals(List.of(0, 1, 2, 3), heard);
        assertArrayEquals(here.partitionSizes(), spark.partitionSizes());
        int[][] v1 = here.votes(test.features());
        int[][] v2 = spark.votes(test.features());
        for (int i = 0; i < v1.length; i++) {
            assertArrayEquals(v1[i], v2[i], "votes of test example " + i);
        }
        PoisoningCertificates c = spark.certify(test);
        assertTrue(c.certifiedAccuracy(0) > 0.5, "accuracy " + c.certifiedAccuracy(0));
        for (int p = 0; p < 4; p++) {
            assertEquals(0, here.models().get(p).predictProbabilities(test.features())
                    .sub(spark.models().get(p).predictProbabilities(test.features())).amaxNumber().doubleValue(), 1e-6,
                    "model " + p);
        }
    }

    @Test
    void aModelThatCannotTravelIsNamed() throws Exception {
        TrainingRoutine box = (TrainingRoutine & Serializable) (data, seed) -> new BlackBoxModel(
                x -> Nd4j.ones(x.size(0), 10).divi(10), 10, new long[] {1, 28, 28}, InputDomain.UNIT);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PartitionAggregation.builder(box)
                .partitions(2).runner(SparkPartitionAggregation.runner(sc)).build()
                .fit(FashionMnist.bundledTrain().head(50)));
        assertTrue(e.getMessage().contains("must be a DL4J model"), e.getMessage());
        TrainingRoutine notSerializable = (data, seed) -> null;
        IllegalStateException n = assertThrows(IllegalStateException.class, () -> PartitionAggregation
                .builder(notSerializable).partitions(2).runner(SparkPartitionAggregation.runner(sc)).build()
                .fit(FashionMnist.bundledTrain().head(50)));
        assertTrue(n.getMessage().contains("not serializable"), n.getMessage());
    }
}
