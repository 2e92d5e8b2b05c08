package dev.rampart.defenses.federated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.federated.SignFlipping;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The federated simulation on the bundled sample: it learns, it is deterministic, and attacks bite where they should. */
class FederationTest {

    static LabeledData train;
    static LabeledData test;

    @BeforeAll
    static void load() throws Exception {
        train = FashionMnist.bundledTrain().head(1200);
        test = FashionMnist.bundledTest().head(300);
    }

    /** A small MLP (784-32-10, Adam 5e-3), so that a round of many clients stays cheap. */
    private static MultiLayerNetworkModel fresh() {
        return dev.rampart.core.testing.Fixtures.smallMlp(5);
    }

    private static Federation.Report run(Aggregator a, int malicious, long seed) {
        return Federation.builder(fresh(), ClientData.iid(train, 12, 2), LocalTraining.epochs(1, 25)).aggregator(a)
                .clientsPerRound(8).rounds(3).malicious(malicious, malicious > 0 ? new SignFlipping(5) : null)
                .evaluateOn(test).seed(seed).build().run();
    }

    @Test
    void fedAvgLearnsAndOneSeedGivesOneRun() {
        Federation.Report a = run(new FedAvg(), 0, 1);
        Federation.Report b = run(new FedAvg(), 0, 1);
        assertTrue(a.finalAccuracy() > 0.55, "FedAvg accuracy " + a.finalAccuracy());
        assertTrue(a.rounds().get(2).accuracy() > a.rounds().get(0).accuracy() - 0.02, "accuracy grows");
        assertEquals(a.finalAccuracy(), b.finalAccuracy(), 0.0);
        for (int t = 0; t < 3; t++) {
            assertTrue(Arrays.equals(a.rounds().get(t).sampled(), b.rounds().get(t).sampled()));
            assertEquals(8, a.rounds().get(t).kept().length, "FedAvg keeps every update");
        }
    }

    @Test
    void clientsOnThreadsGiveTheRoundsOfClientsInTurn() {
        MultiLayerNetworkModel inTurn = fresh();
        MultiLayerNetworkModel threaded = fresh();
        Federation.Report a = Federation.builder(inTurn, ClientData.iid(train, 12, 2), LocalTraining.epochs(1, 25))
                .aggregator(new CoordinateMedian()).clientsPerRound(6).rounds(2).evaluateOn(test).seed(4).build().run();
        Federation.Report b = Federation.builder(threaded, ClientData.iid(train, 12, 2), LocalTraining.epochs(1, 25))
                .aggregator(new CoordinateMedian()).clientsPerRound(6).rounds(2).evaluateOn(test).seed(4)
                .runner(Federation.ClientRunner.threads(3)).build().run();
        for (int t = 0; t < 2; t++) {
            assertEquals(a.rounds().get(t).accuracy(), b.rounds().get(t).accuracy(), 1.5 / test.size(), "round " + t);
            assertEquals(a.rounds().get(t).meanHonestNorm(), b.rounds().get(t).meanHonestNorm(), 1e-4, "round " + t);
        }
        assertEquals(0, inTurn.parameters().sub(threaded.parameters()).amaxNumber().doubleValue(), 1e-5);
        assertTrue(inTurn.parameters().sub(fresh().parameters()).amaxNumber().doubleValue() > 1e-3, "it trained");
        Federation.ClientRunner broken = (global, jobs, local) -> List.of();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Federation.builder(fresh(),
                ClientData.iid(train, 12, 2), LocalTraining.epochs(1, 25)).rounds(1).runner(broken).build().run());
        assertTrue(e.getMessage().contains("returned 0 models for 10 clients"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Federation.ClientRunner.threads(0));
    }

    @Test
    void signFlippingDefeatsFedAvgButNotTheMedianOrKrum() {
        double avg = run(new FedAvg(), 2, 3).finalAccuracy();
        double median = run(new CoordinateMedian(), 2, 3).finalAccuracy();
        Federation.Report krum = run(new Krum(2, 1), 2, 3);
        assertTrue(avg < 0.3, "FedAvg under sign flipping: " + avg);
        assertTrue(median > 0.5, "median under sign flipping: " + median);
        assertTrue(krum.finalAccuracy() > 0.45, "Krum under sign flipping: " + krum.finalAccuracy());
        int[] bad = krum.config().maliciousClients();
        for (Federation.RoundFigures f : krum.rounds()) {
            for (int k : f.kept()) {
                assertTrue(Arrays.stream(bad).noneMatch(b -> b == k), "round " + f.round() + ": Krum kept malicious "
                        + k);
            }
        }
    }

    /** Model replacement (Bagdasaryan et al. 2020) plants a backdoor through FedAvg; norm bounding damps it. */
    @Test
    void aBoostedBackdoorReplacesTheModelUnlessNormsAreBounded() {
        dev.rampart.attacks.poisoning.BadNets badNets = dev.rampart.attacks.poisoning.BadNets.allToOne(
                dev.rampart.attacks.poisoning.Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.5, 7);
        List<LabeledData> parts = ClientData.iid(train, 6, 2);
        dev.rampart.attacks.federated.ModelReplacement attack = new dev.rampart.attacks.federated.ModelReplacement(
                badNets.poison(parts.get(0)).data(), 6);
        LabeledData triggered = badNets.attackTest(test);
        double[] success = new double[2];
        double[] accuracy = new double[2];
        Aggregator[] rules = {new FedAvg(), new NormBounding(0.5, 0, 1)};
        for (int k = 0; k < 2; k++) {
            Federation.Report r = Federation.builder(fresh(), parts, LocalTraining.epochs(2, 25)).aggregator(rules[k])
                    .clientsPerRound(6).rounds(3).backdoor(1, attack, triggered).evaluateOn(test).seed(5).build().run();
            success[k] = r.finalAttackSuccess();
            accuracy[k] = r.finalAccuracy();
        }
        assertTrue(success[0] > 0.6, "backdoor through FedAvg: " + success[0]);
        assertTrue(success[1] < success[0] - 0.3, "norm bounding: " + success[1] + " against " + success[0]);
        assertTrue(accuracy[1] > 0.45, "norm-bounded accuracy " + accuracy[1]);
    }

    @Test
    void dirichletSkewsTheLabels() {
        double skewed = meanTopShare(ClientData.dirichlet(train, 10, 0.1, 4));
        double even = meanTopShare(ClientData.dirichlet(train, 10, 100, 4));
        double iid = meanTopShare(ClientData.iid(train, 10, 4));
        assertTrue(skewed > 0.45 && even < 0.2 && iid < 0.2, skewed + " " + even + " " + iid);
        assertEquals(train.size(), ClientData.dirichlet(train, 10, 0.1, 4).stream().mapToInt(LabeledData::size).sum());
        assertEquals(ClientData.dirichlet(train, 10, 0.5, 9).get(3).size(), ClientData.dirichlet(train, 10, 0.5, 9).get(3)
                .size());
    }

    private static double meanTopShare(List<LabeledData> clients) {
        double s = 0;
        for (LabeledData c : clients) {
            int[] count = new int[c.numClasses()];
            for (int y : c.labels()) {
                count[y]++;
            }
            s += (double) Arrays.stream(count).max().orElse(0) / c.size();
        }
        return s / clients.size();
    }

    @Test
    void badSettingsAreNamed() {
        List<LabeledData> parts = ClientData.iid(train, 5, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Federation.builder(fresh(), parts,
                LocalTraining.epochs(1, 10)).clientsPerRound(6).build()).getMessage().contains("clientsPerRound"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Federation.builder(fresh(), parts,
                LocalTraining.epochs(1, 10)).clientsPerRound(2).malicious(2, null).build()).getMessage()
                .contains("attack"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientData.dirichlet(train, 5, 0, 1))
                .getMessage().contains("alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientData.iid(train.head(3), 5, 1))
                .getMessage().contains("clients (5)"));
    }
}
