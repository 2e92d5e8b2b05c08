package dev.rampart.attacks.inference;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Membership inference against a deliberately overfit MLP (200 training images, 40 epochs): the
 * attacks must tell its members from non-members, and must not on a model that trained on none of
 * the candidates.
 */
class MembershipInferenceTest {

    static final TrainingRoutine TRAINER = (data, seed) -> overfit(data, seed);
    static LabeledData population; // 0-199 members of the target, 200-399 non-members, 400-799 extra
    static Classifier target;
    static boolean[] isMember;
    static int[] candidates;
    static ShadowModels shadows;

    @BeforeAll
    static void setUp() throws IOException {
        population = FashionMnist.bundledTrain().head(800);
        target = TRAINER.train(population.slice(0, 200), 99);
        candidates = new int[400];
        isMember = new boolean[400];
        for (int i = 0; i < 400; i++) {
            candidates[i] = i;
            isMember[i] = i < 200;
        }
        shadows = ShadowModels.train(population, TRAINER, 8, 5, null);
    }

    static Classifier overfit(LabeledData data, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(3e-3)).list()
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        ShuffledBatches batches = new ShuffledBatches(data, 50, seed);
        for (int e = 0; e < 40; e++) {
            batches.reset();
            while (batches.hasNext()) {
                net.fit(batches.next());
            }
        }
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    private static LabeledData candidateData() {
        return population.slice(0, 400);
    }

    @Test
    void everyAttackSeesTheOverfitModelsMembers() {
        MembershipEvaluation loss = MembershipEvaluation.of(
                LossThresholdAttack.fromShadows(shadows).score(target, Candidates.of(candidateData())), isMember);
        MembershipEvaluation shokri = MembershipEvaluation.of(
                ShadowModelAttack.fit(shadows).score(target, Candidates.of(candidateData())), isMember);
        MembershipEvaluation online = MembershipEvaluation.of(Lira.online(shadows).score(target, Candidates.of(shadows, candidates)),
                isMember);
        MembershipEvaluation offline = MembershipEvaluation.of(Lira.offline(shadows).score(target, Candidates.of(shadows, candidates)),
                isMember);
        for (MembershipEvaluation e : new MembershipEvaluation[] {loss, shokri, online, offline}) {
            assertTrue(e.auc() > 0.65, e.attack() + " AUC " + e.auc());
            assertTrue(e.balancedAccuracy() > 0.55, e.attack() + " balanced accuracy " + e.balancedAccuracy());
            assertTrue(e.advantage() > 0.25, e.attack() + " advantage " + e.advantage());
            assertEquals(200, e.members());
            assertEquals(200, e.nonMembers());
            assertEquals(10, e.perClass().size(), e.attack());
            assertEquals(400, e.perClass().stream().mapToInt(c -> c.members() + c.nonMembers()).sum());
        }
        // LiRA's per-example calibration finds confident members that a global loss threshold cannot
        assertTrue(online.tprAt1Percent() > loss.tprAt1Percent(),
                "LiRA " + online.tprAt1Percent() + " vs loss " + loss.tprAt1Percent());
    }

    @Test
    void aModelThatTrainedOnNoCandidateLeaksNothing() {
        Classifier outsider = TRAINER.train(population.slice(400, 800), 98);
        for (MembershipScores s : new MembershipScores[] {
                LossThresholdAttack.fromShadows(shadows).score(outsider, Candidates.of(candidateData())),
                Lira.online(shadows).score(outsider, Candidates.of(shadows, candidates))}) {
            MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
            assertTrue(Math.abs(e.auc() - 0.5) < 0.08, e.attack() + " AUC " + e.auc());
        }
    }

    @Test
    void shadowSplitsAreBalanced() {
        boolean[] excluded = new boolean[50];
        excluded[3] = true;
        excluded[17] = true;
        boolean[][] in = ShadowModels.split(50, 6, excluded, new SplittableRandom(1));
        int[] perModel = new int[6];
        for (int i = 0; i < 50; i++) {
            int models = 0;
            for (int s = 0; s < 6; s++) {
                models += in[s][i] ? 1 : 0;
                perModel[s] += in[s][i] ? 1 : 0;
            }
            assertEquals(excluded[i] ? 0 : 3, models, "example " + i);
        }
        assertEquals(48 * 3, Arrays.stream(perModel).sum());
        for (int s = 0; s < 6; s++) {
            assertTrue(perModel[s] > 10 && perModel[s] < 38, "model " + s + " trains on " + perModel[s]);
        }
    }

    @Test
    void offlineShadowsNeverTrainOnTheCandidates() {
        ShadowModels off = ShadowModels.train(population.slice(0, 60), (d, seed) -> constant(0.5), 2, 1,
                new int[] {0, 1, 2});
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 3; i++) {
                assertTrue(!off.in(s, i));
            }
        }
        assertMessage(() -> Lira.online(off).score(constant(0.5), Candidates.of(off, 1)), "online LiRA needs them");
        assertEquals(1, Lira.offline(off).score(constant(0.5), Candidates.of(off, 1)).scores().length);
    }

    @Test
    void confidencesDoNotRoundAway() {
        // p_y rounds to 1 in float, but the other classes keep 1e-9 each: loss and phi stay finite and exact
        float[] row = new float[10];
        Arrays.fill(row, 1e-9f);
        row[4] = 1f;
        Classifier m = new BlackBoxModel(x -> Nd4j.create(row, new long[] {1, 10}).repeat(0, x.size(0)), 10,
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        LabeledData one = population.head(1);
        LabeledData asFour = new LabeledData("x", one.features(), new int[] {4}, 10);
        Confidences c = Confidences.of(m, asFour);
        assertEquals(9e-9, c.loss()[0], 1e-15);
        assertEquals(Math.log(1 / 9e-9), c.phi()[0], 1e-6);
        LabeledData asZero = new LabeledData("x", one.features(), new int[] {0}, 10);
        assertEquals(-Math.log(1e-9), Confidences.of(m, asZero).loss()[0], 1e-5);
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> ShadowModels.train(population, TRAINER, 3, 1, null), "count must be an even number of at"
                + " least 2, found 3");
        assertMessage(() -> ShadowModels.train(population, TRAINER, 2, 1, new int[] {800}), "excluded index 800");
        assertMessage(() -> Candidates.of(shadows, -1), "candidate index -1");
        assertMessage(() -> Candidates.of(shadows), "candidates must not be empty");
        assertMessage(() -> Lira.online(shadows).score(target, Candidates.of(candidateData())),
                "give Candidates.of(shadows, indices)");
        assertMessage(() -> new LossThresholdAttack(-1), "lossThreshold must be finite and >= 0, found -1.0");
        ShadowModels two = ShadowModels.train(population.slice(0, 20), (d, seed) -> constant(0.5), 2, 1, null);
        assertMessage(() -> Lira.online(two).variance(Lira.Variance.PER_EXAMPLE).score(target, Candidates.of(two, 0)),
                "at least 2 shadow models on each side");
        assertMessage(() -> MembershipEvaluation.of(Lira.online(shadows).score(target, Candidates.of(shadows, 0, 1)),
                new boolean[] {true, true}), "needs members and non-members");
        assertMessage(() -> MembershipEvaluation.of(Lira.online(shadows).score(target, Candidates.of(shadows, 0, 1)),
                new boolean[] {true}), "isMember has 1 entries but there are 2 scores");
        Classifier negative = new BlackBoxModel(x -> Nd4j.valueArrayOf(new long[] {x.size(0), 10}, -0.5), 10,
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        assertMessage(() -> Confidences.of(negative, population.head(2)), "probability -0.5 for class 0 of example 0");
    }

    private static Classifier constant(double v) {
        return new BlackBoxModel(x -> Nd4j.valueArrayOf(new long[] {x.size(0), 10}, v / 5), 10,
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }
}
