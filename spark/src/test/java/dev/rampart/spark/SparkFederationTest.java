package dev.rampart.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.federated.ModelReplacement;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.defenses.federated.ClientData;
import dev.rampart.defenses.federated.CoordinateMedian;
import dev.rampart.defenses.federated.Federation;
import dev.rampart.defenses.federated.LocalTraining;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A federation whose clients train as Spark tasks on local[2] runs the rounds of one whose clients train here. */
class SparkFederationTest {

    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() {
        sc = LocalSpark.start("rampart-federation-test");
    }

    @AfterAll
    static void tearDown() {
        sc.close();
    }

    private static MultiLayerNetworkModel fresh() {
        return dev.rampart.core.testing.Fixtures.smallMlp(5);
    }

    @Test
    void clientsOnSparkRunTheRoundsOfClientsHere() throws Exception {
        LabeledData train = FashionMnist.bundledTrain().head(800);
        LabeledData test = FashionMnist.bundledTest().head(200);
        List<LabeledData> parts = ClientData.iid(train, 8, 2);
        BadNets badNets = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.5, 1);
        ModelReplacement backdoor = new ModelReplacement(badNets.poison(parts.get(0)).data(), 5);
        MultiLayerNetworkModel here = fresh();
        MultiLayerNetworkModel spark = fresh();
        Federation.Report a = Federation.builder(here, parts, LocalTraining.epochs(1, 25))
                .aggregator(new CoordinateMedian()).clientsPerRound(5).rounds(2).backdoor(2, backdoor,
                        badNets.attackTest(test)).evaluateOn(test).seed(6).build().run();
        Federation.Report b = Federation.builder(spark, parts, LocalTraining.epochs(1, 25))
                .aggregator(new CoordinateMedian()).clientsPerRound(5).rounds(2).backdoor(2, backdoor,
                        badNets.attackTest(test)).evaluateOn(test).seed(6).runner(SparkFederation.runner(sc)).build()
                .run();
        for (int t = 0; t < 2; t++) {
            assertEquals(a.rounds().get(t).accuracy(), b.rounds().get(t).accuracy(), 1.5 / test.size(), "round " + t);
            assertEquals(a.rounds().get(t).meanHonestNorm(), b.rounds().get(t).meanHonestNorm(), 1e-4, "round " + t);
        }
        assertEquals(0, here.parameters().sub(spark.parameters()).amaxNumber().doubleValue(), 1e-5);
        assertTrue(a.finalAccuracy() > 0.4, "it learned: " + a.finalAccuracy());
    }

    @Test
    void aModelThatCannotTravelIsNamed() {
        dev.rampart.core.model.TrainableModel notDl4j = new dev.rampart.core.model.TrainableModel() {
            final MultiLayerNetworkModel inner = fresh();

            @Override
            public void fit(org.nd4j.linalg.api.ndarray.INDArray x, org.nd4j.linalg.api.ndarray.INDArray y) {
                inner.fit(x, y);
            }

            @Override
            public org.nd4j.linalg.api.ndarray.INDArray parameters() {
                return inner.parameters();
            }

            @Override
            public org.nd4j.linalg.api.ndarray.INDArray predictProbabilities(org.nd4j.linalg.api.ndarray.INDArray x) {
                return inner.predictProbabilities(x);
            }

            @Override
            public long[] inputShape() {
                return inner.inputShape();
            }

            @Override
            public int numClasses() {
                return 10;
            }

            @Override
            public InputDomain domain() {
                return InputDomain.UNIT;
            }

            @Override
            public dev.rampart.core.model.TrainableModel copy() {
                return this;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkFederation.runner(sc)
                .train(notDl4j, List.of(new Federation.ClientJob(0, FashionMnist.bundledTrain().head(10), 1)),
                        LocalTraining.epochs(1, 5)));
        assertTrue(e.getMessage().contains("must be a DL4J model"), e.getMessage());
    }
}
