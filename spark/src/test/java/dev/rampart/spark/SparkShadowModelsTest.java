package dev.rampart.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.inference.ShadowModels;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shadow models trained as Spark tasks on local[2] give the answers of the ones trained here. */
class SparkShadowModelsTest {

    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() {
        sc = LocalSpark.start("rampart-shadows-test");
    }

    @AfterAll
    static void tearDown() {
        sc.close();
    }

    static final TrainingRoutine MLP = (TrainingRoutine & Serializable) (data, seed) -> {
        MultiLayerNetwork net = ReferenceModels.mlp(seed);
        ShuffledBatches b = new ShuffledBatches(data, 50, seed);
        for (int e = 0; e < 3; e++) {
            b.reset();
            while (b.hasNext()) {
                net.fit(b.next());
            }
        }
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    };

    @Test
    void shadowsOnSparkEqualShadowsHere() throws Exception {
        LabeledData population = FashionMnist.bundledTrain().head(200);
        ShadowModels here = ShadowModels.train(population, MLP, 4, 9, null);
        ShadowModels spark = ShadowModels.train(population, MLP, 4, 9, null, SparkShadowModels.runner(sc));
        for (int s = 0; s < 4; s++) {
            assertArrayEquals(here.answers(s).loss(), spark.answers(s).loss(), 1e-9, "shadow " + s);
            for (int i = 0; i < population.size(); i++) {
                assertTrue(here.in(s, i) == spark.in(s, i));
            }
        }
    }

    @Test
    void aRoutineThatCannotTravelIsNamed() throws Exception {
        LabeledData population = FashionMnist.bundledTrain().head(40);
        Object notSerializable = new Object();
        TrainingRoutine local = (data, seed) -> {
            notSerializable.hashCode();
            return MLP.train(data, seed);
        };
        Exception e = assertThrows(Exception.class, () -> ShadowModels.train(population, local, 2, 1, null,
                SparkShadowModels.runner(sc)));
        assertTrue(String.valueOf(e.getMessage()).contains("not serializable"), e.toString());
    }
}
