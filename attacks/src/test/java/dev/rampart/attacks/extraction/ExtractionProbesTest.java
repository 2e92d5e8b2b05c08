package dev.rampart.attacks.extraction;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The probes on the bundled CNN with small budgets: they beat chance, and never exceed the budget. */
class ExtractionProbesTest {

    static final Substitute MLP = new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.mlp(seed),
            ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), 10, 32);

    static MultiLayerNetworkModel victim;
    static LabeledData pool;
    static LabeledData test;

    /** The victim behind a counter of every example it is asked about. */
    static final AtomicLong ASKED = new AtomicLong();
    static Classifier counted;

    @BeforeAll
    static void setUp() throws IOException {
        victim = BundledModels.referenceCnn();
        pool = FashionMnist.bundledTrain();
        test = FashionMnist.bundledTest().head(1000);
        counted = new BlackBoxModel(x -> {
            ASKED.addAndGet(x.size(0));
            return victim.predictProbabilities(x);
        }, 10, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    @Test
    void knockoffRandomBeatsAnUntrainedSubstituteAndSpendsExactlyItsBudget() {
        long before = ASKED.get();
        ExtractionResult r = KnockoffNets.builder(counted).pool(pool.features()).budgets(100, 500).substitute(MLP)
                .heldOut(test).seed(1).build().run();
        assertEquals(500, r.queries());
        // the evaluator asks the victim about the held-out set once (1,000); the probe exactly its 500
        assertEquals(500 + 1000, ASKED.get() - before);
        double chance = HeldOut.of(victim, test).fidelity(MLP.create(1, victim));
        assertTrue(chance < 0.3, "untrained substitute " + chance);
        assertTrue(r.fidelity() > 0.75 && r.accuracy() > 0.7, r.toString());
        assertEquals(java.util.List.of(100L, 500L), r.curve().stream().map(ExtractionResult.Point::queries).toList());
        assertTrue(r.curve().get(0).fidelity() < r.curve().get(1).fidelity(), r.curve().toString());
        // same seed, same queries, same substitute
        ExtractionResult again = KnockoffNets.builder(victim).pool(pool.features()).budgets(100, 500).substitute(MLP)
                .heldOut(test).seed(1).build().run();
        assertEquals(r.fidelity(), again.fidelity());
    }

    @Test
    void adaptiveKnockoffLearnsFromGuardedRewards() {
        for (Answers answers : Answers.values()) {
            ExtractionResult a = KnockoffNets.builder(victim).pool(pool.features()).adaptive(pool.labels())
                    .answers(answers).budgets(500).substitute(MLP).heldOut(test).seed(1).build().run();
            assertEquals(500, a.queries());
            assertTrue(a.fidelity() > 0.7, a.toString());
        }
        // one-hot answers against a substitute that gives probability 0: the loss is large but finite
        assertEquals(-Math.log(1e-12), KnockoffNets.crossEntropy(new double[] {0, 1}, new double[] {1, 0}), 1e-9);
        assertEquals(-Math.log(1e-12), KnockoffNets.crossEntropy(new double[] {0, 1}, new double[] {0, Double.NaN}),
                1e-9);
        // huge preferences do not overflow; exhausted actions get no probability
        double[] pi = KnockoffNets.policy(new double[] {1e308, -1e308, 5}, new int[][] {{1}, {2}, {}},
                new int[] {0, 0, 0});
        assertEquals(1.0, pi[0] + pi[1] + pi[2], 1e-12);
        assertEquals(0.0, pi[2]);
        // a reward that never changes standardizes to 0, not to 0/0
        org.apache.commons.math3.stat.descriptive.SummaryStatistics s =
                new org.apache.commons.math3.stat.descriptive.SummaryStatistics();
        assertEquals(0.0, KnockoffNets.standardize(s, 3.0));
        for (int i = 0; i < 5; i++) {
            s.addValue(1.0);
        }
        assertEquals(0.0, KnockoffNets.standardize(s, 1.0));
        s.addValue(3.0);
        assertTrue(KnockoffNets.standardize(s, 3.0) > 1);
        assertEquals(1.0, KnockoffNets.certainty(new double[] {0, 1, 0}));
    }

    @Test
    void copycatUsesTopOneAnswers() {
        ExtractionResult c = CopycatCnn.builder(victim).pool(pool.features()).budgets(500).substitute(MLP)
                .heldOut(test).seed(1).build().run();
        assertEquals(Answers.LABELS, c.answers());
        assertTrue(c.fidelity() > 0.7, c.toString());
    }

    @Test
    void jacobianAugmentationDoublesItsSetAndSpendsTheBudgetExactly() {
        ExtractionResult j = JacobianAugmentation.builder(victim).seedSet(pool.head(50).features()).budget(700)
                .substitute(MLP).heldOut(test).seed(1).build().run();
        assertEquals(700, j.queries());
        assertEquals(java.util.List.of(50L, 100L, 200L, 400L, 700L),
                j.curve().stream().map(ExtractionResult.Point::queries).toList());
        assertTrue(j.fidelity() > 0.5, j.toString());
        TransferAttack.Result t = TransferAttack.evaluate(Pgd.builder((MultiLayerNetworkModel) j.substitute())
                .epsilon(0.1).steps(20).seed(1).build(), victim, test.head(300));
        assertTrue(t.substituteSuccess() > 0.9, t.toString());
        assertTrue(t.transferRate() > 0.05 && t.transferRate() < 1, t.toString());
    }

    @Test
    void theRecorderRefusesABatchBeyondTheBudgetBeforeTheVictimSeesIt() {
        QueryRecorder api = new QueryRecorder(counted, Answers.LABELS, 10);
        api.ask(pool.head(8).features());
        long before = ASKED.get();
        assertThrows(QueryBudgetExceededException.class, () -> api.ask(pool.head(3).features()));
        assertEquals(before, ASKED.get());
        assertEquals(8, api.spent());
        assertEquals(8, api.inputs().size(0));
    }

    @Test
    void releasedRowsAreScaledToSumToOneAndBadOnesAreRefused() {
        BlackBoxModel rounded = new BlackBoxModel(x -> Nd4j.createFromArray(new float[][] {{0.5f, 0.5f, 0.1f},
            {0, 0, 0}}), 3, new long[] {1}, InputDomain.UNIT);
        INDArray y = new QueryRecorder(rounded, Answers.PROBABILITIES, 2).ask(Nd4j.zeros(DataType.FLOAT, 2, 1));
        assertEquals(0.5 / 1.1, y.getDouble(0, 0), 1e-6);
        assertEquals(1.0 / 3, y.getDouble(1, 2), 1e-6);
        BlackBoxModel negative = new BlackBoxModel(x -> Nd4j.createFromArray(new float[][] {{1.2f, -0.2f, 0}}), 3,
                new long[] {1}, InputDomain.UNIT);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new QueryRecorder(negative,
                Answers.PROBABILITIES, 2).ask(Nd4j.zeros(DataType.FLOAT, 1, 1)));
        assertTrue(e.getMessage().contains("the victim released -0.2"), e.getMessage());
    }

    @Test
    void badInputIsNamed() {
        INDArray x = pool.head(20).features();
        assertMessage(() -> KnockoffNets.builder(victim).pool(x).budgets(0).substitute(MLP).heldOut(test).build(),
                "budget must be positive, found 0");
        assertMessage(() -> KnockoffNets.builder(victim).pool(x).budgets(-5).substitute(MLP).heldOut(test).build(),
                "budget must be positive, found -5");
        assertMessage(() -> KnockoffNets.builder(victim).pool(x).budgets(30).substitute(MLP).heldOut(test).build(),
                "budget 30 exceeds the pool of 20");
        assertMessage(() -> KnockoffNets.builder(victim).pool(Nd4j.zeros(DataType.FLOAT, 0, 1, 28, 28)).budgets(10)
                .substitute(MLP).heldOut(test).build(), "pool is empty");
        assertMessage(() -> KnockoffNets.builder(victim).pool(Nd4j.zeros(DataType.FLOAT, 5, 784)).budgets(5)
                .substitute(MLP).heldOut(test).build(), "pool must have shape [n, 1, 28, 28], found [5, 784]");
        assertMessage(() -> KnockoffNets.builder(victim).pool(x).adaptive(new int[3]).budgets(5).substitute(MLP)
                .heldOut(test).build(), "actions has 3 entries, the pool 20");
        assertMessage(() -> KnockoffNets.builder(victim).pool(x).budgets(5, 5).substitute(MLP).heldOut(test).build(),
                "budgets must increase");
        assertMessage(() -> new QueryRecorder(victim, Answers.LABELS, 0), "budget must be positive, found 0");
        assertMessage(() -> new Substitute(MLP.factory(), 0, 32), "epochs must be positive, found 0");
        Substitute wrongShape = new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.mlp(seed),
                new long[] {784}, InputDomain.UNIT), 1, 32);
        assertMessage(() -> KnockoffNets.builder(victim).pool(x).budgets(5).substitute(wrongShape).heldOut(test)
                .build(), "substitute takes [784]");
        assertMessage(() -> JacobianAugmentation.builder(victim).seedSet(x).budget(10).substitute(MLP).heldOut(test)
                .build(), "the seed set of 20 exceeds the budget of 10");
        assertMessage(() -> JacobianAugmentation.builder(victim).seedSet(x).budget(100).lambda(0).substitute(MLP)
                .heldOut(test).build(), "lambda must be in (0, 1.0], found 0.0");
        assertMessage(() -> KnockoffNets.builder(victim).pool(x.mul(2)).budgets(5).substitute(MLP).heldOut(test)
                .build(), "pool");
    }
}
