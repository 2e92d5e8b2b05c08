package dev.rampart.defenses.extraction;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.extraction.JacobianAugmentation;
import dev.rampart.attacks.extraction.Substitute;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.random.Seeds;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** PRADA on the bundled CNN: quiet on natural streams, alarmed by a Jacobian-augmentation stream. */
class PradaTest {

    static final Substitute MLP = new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.mlp(seed),
            ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), 10, 32);
    static MultiLayerNetworkModel victim;
    static LabeledData test;
    static LabeledData train;

    @BeforeAll
    static void setUp() throws IOException {
        victim = BundledModels.referenceCnn();
        test = FashionMnist.bundledTest();
        train = FashionMnist.bundledTrain();
    }

    /** One client's natural stream: the 2,000 bundled test images in a seeded order, 10 per request. */
    private static void benign(Classifier api, long seed) {
        int[] order = ShuffledBatches.permutation(test.size(), Seeds.random(seed));
        for (int i = 0; i < order.length; i += 10) {
            api.predictProbabilities(Rows.gather(test.features(), java.util.Arrays.copyOfRange(order, i, i + 10)));
        }
    }

    @Test
    void naturalStreamsRaiseNoAlarmAndAJacobianStreamDoes() {
        Prada prada = Prada.builder(victim).build();
        List<Prada.Alarm> alarms = new CopyOnWriteArrayList<>();
        prada.onAlarm(alarms::add);
        for (int c = 0; c < 5; c++) {
            benign(prada.guard(victim, "benign-" + c, true), c);
            assertFalse(prada.alarmed("benign-" + c));
            assertTrue(prada.lastW("benign-" + c) > 0.95, "W " + prada.lastW("benign-" + c));
        }
        assertTrue(alarms.isEmpty(), alarms.toString());
        // small augmentation steps (lambda 0.02) put each new query next to its parent
        Classifier attacked = prada.guard(victim, "attacker", false);
        JacobianAugmentation.builder(attacked).seedSet(train.head(100).features()).budget(800).lambda(0.02)
                .substitute(MLP).heldOut(test.head(200)).reference(victim).seed(1).build().run();
        assertTrue(prada.alarmed("attacker"));
        assertEquals(1, alarms.size(), alarms.toString());
        assertEquals("attacker", alarms.get(0).client());
        assertTrue(alarms.get(0).w() < 0.90 && alarms.get(0).queries() <= 800, alarms.get(0).toString());
        // a guard that refuses: the next query of the alarmed client never reaches the victim
        Classifier refusing = prada.guard(victim, "attacker", true);
        assertThrows(Prada.ExtractionAlarmException.class, () -> refusing.predictProbabilities(test.head(1)
                .features()));
        prada.reset("attacker");
        assertFalse(prada.alarmed("attacker"));
    }

    @Test
    void concurrentClientsGiveTheSameStatisticsAsSequentialOnes() throws Exception {
        Prada sequential = Prada.builder(victim).build();
        for (int c = 0; c < 2; c++) {
            benign(sequential.guard(victim, "c" + c, false), 10 + c);
        }
        Prada concurrent = Prada.builder(victim).build();
        Thread[] threads = new Thread[2];
        for (int c = 0; c < 2; c++) {
            int k = c;
            Classifier own = victim.copy();
            threads[c] = new Thread(() -> benign(concurrent.guard(own, "c" + k, false), 10 + k));
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int c = 0; c < 2; c++) {
            assertEquals(sequential.lastW("c" + c), concurrent.lastW("c" + c));
            assertTrue(java.util.Arrays.equals(sequential.distances("c" + c), concurrent.distances("c" + c)));
        }
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> Prada.builder(victim).threshold(1.5).build(), "threshold must be in (0, 1), found 1.5");
        assertMessage(() -> Prada.builder(victim).window(6000).build(), "window must be in [3, 5000], found 6000");
        assertMessage(() -> Prada.builder(victim).window(50).minQueries(100).build(),
                "minQueries must be in [3, window = 50], found 100");
        assertMessage(() -> Prada.builder(victim).maxPerClass(0).build(), "maxPerClass must be positive, found 0");
        Prada p = Prada.builder(victim).build();
        assertMessage(() -> p.observe("a", Nd4j.zeros(DataType.FLOAT, 2, 100), new int[] {0, 1}),
                "x must hold 2 inputs of 784 values, found shape [2, 100]");
        assertMessage(() -> p.observe("a", Nd4j.zeros(DataType.FLOAT, 1, 784), new int[] {10}),
                "answered[0] must be in [0, 10), found 10");
        assertMessage(() -> p.observe(null, Nd4j.zeros(DataType.FLOAT, 1, 784), new int[] {0}),
                "client must not be null");
        org.nd4j.linalg.api.ndarray.INDArray nan = Nd4j.zeros(DataType.FLOAT, 2, 784);
        nan.putScalar(1, 5, Float.NaN);
        assertMessage(() -> p.observe("a", nan, new int[] {0, 1}), "x[1] holds a non-finite value (NaN)");
        assertEquals(0, p.distances("a").length, "a refused batch leaves no trace");
    }
}
