package dev.rampart.defenses.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Short adversarial training runs of the reference MLP on the bundled sample. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdversarialTrainingTest {

    private static final double EPS = 0.1;
    private LabeledData train;
    private LabeledData heldOut;

    @BeforeAll
    void load() throws IOException {
        train = FashionMnist.bundledTrain().head(2000);
        heldOut = FashionMnist.bundledTest().head(300);
    }

    private ViewIterator iterator() {
        return new ViewIterator(new DataSet(train.features(), Labels.oneHot(train.labels(), 10)), 50);
    }

    private static MultiLayerNetworkModel freshMlp() {
        return MultiLayerNetworkModel.of(ReferenceModels.mlp(5), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    private double robustAccuracy(MultiLayerNetworkModel model) {
        return Pgd.builder(model).epsilon(EPS).steps(10).seed(1).build()
                .run(heldOut.features(), heldOut.labels()).robustAccuracy();
    }

    @Test
    void adversarialTrainingRaisesRobustAccuracyOverStandardTraining() {
        MultiLayerNetworkModel standard = freshMlp();
        ViewIterator it = iterator();
        for (int epoch = 0; epoch < 3; epoch++) {
            it.reset();
            while (it.hasNext()) {
                DataSet b = it.next();
                standard.fit(b.getFeatures(), b.getLabels());
            }
        }
        MultiLayerNetworkModel pgdTrained = freshMlp();
        AdversarialTraining.builder(pgdTrained).method(AdversarialTraining.Method.PGD).epsilon(EPS).pgdSteps(3)
                .epochs(3).seed(3).build().fit(iterator());
        MultiLayerNetworkModel fastTrained = freshMlp();
        AdversarialTraining.builder(fastTrained).method(AdversarialTraining.Method.FAST_FGSM).epsilon(EPS)
                .epochs(3).seed(3).build().fit(iterator());

        MultiLayerNetworkModel tradesTrained = freshMlp();
        AdversarialTraining.builder(tradesTrained).method(AdversarialTraining.Method.TRADES).epsilon(EPS)
                .pgdSteps(3).epochs(3).seed(3).build().fit(iterator());

        double base = robustAccuracy(standard);
        double pgd = robustAccuracy(pgdTrained);
        double fast = robustAccuracy(fastTrained);
        double trades = robustAccuracy(tradesTrained);
        assertTrue(pgd > base + 0.15, "PGD-AT robust " + pgd + " vs standard " + base);
        assertTrue(fast > base + 0.10, "fast FGSM robust " + fast + " vs standard " + base);
        assertTrue(trades > base + 0.15, "TRADES robust " + trades + " vs standard " + base);
    }

    @Test
    void aComputationGraphTrainsExactlyAsTheSameMultiLayerNetwork() {
        for (AdversarialTraining.Method method : AdversarialTraining.Method.values()) {
            MultiLayerNetworkModel network = freshMlp();
            ComputationGraph graph = network.network().toComputationGraph();
            ComputationGraphModel graphModel = ComputationGraphModel.of(graph, ReferenceModels.INPUT_SHAPE,
                    InputDomain.UNIT);
            INDArray initial = network.parameters().dup();
            assertEquals(initial, graphModel.parameters(), "the graph starts from the network's parameters");
            double fraction = method == AdversarialTraining.Method.TRADES ? 1.0 : 0.5;
            ViewIterator small = new ViewIterator(new DataSet(train.head(200).features(),
                    Labels.oneHot(train.head(200).labels(), 10)), 50);
            Norm norm = method == AdversarialTraining.Method.SMOOTH_ADV ? Norm.L2 : Norm.LINF;
            AdversarialTraining.builder(network).method(method).norm(norm).epsilon(EPS).pgdSteps(3).noiseSamples(2)
                    .epochs(1).adversarialFraction(fraction).seed(9).build().fit(small);
            AdversarialTraining.builder(graphModel).method(method).norm(norm).epsilon(EPS).pgdSteps(3).noiseSamples(2)
                    .epochs(1).adversarialFraction(fraction).seed(9).build().fit(small);
            double moved = Transforms.abs(network.parameters().sub(initial)).maxNumber().doubleValue();
            double apart = Transforms.abs(network.parameters().sub(graphModel.parameters())).maxNumber().doubleValue();
            assertTrue(moved > 1e-3, method + ": training moved the parameters by " + moved);
            assertTrue(apart < 1e-5, method + ": graph and network parameters differ by " + apart);
        }
    }

    @Test
    void epsilonRampsDuringWarmupAndEpochsAreReported() {
        MultiLayerNetworkModel model = freshMlp();
        AtomicInteger iterations = new AtomicInteger();
        model.network().setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model m, int iteration, int epoch) {
                iterations.incrementAndGet();
            }
        });
        AdversarialTraining<MultiLayerNetworkModel> at = AdversarialTraining.builder(model).epsilon(EPS).pgdSteps(2)
                .epochs(2).warmupEpochs(2).adversarialFraction(0.5).evaluateOn(heldOut.head(100), 5).seed(4).build();
        assertEquals(0.0, at.epsilonAt(0, 0, 40), 1e-12);
        assertEquals(EPS / 4, at.epsilonAt(0, 20, 40), 1e-12);
        assertEquals(EPS * 3 / 4, at.epsilonAt(1, 20, 40), 1e-12);
        TrainingReport report = at.fit(iterator());
        assertEquals("1.0.0-M2.1", report.provenance().nd4jVersion());
        assertEquals(2, report.epochs().size());
        assertEquals(80, iterations.get(), "the network's own listeners see every training step");
        TrainingReport.Epoch last = report.epochs().get(1);
        assertEquals(2000, last.examples());
        assertTrue(last.cleanAccuracy() > 0.5 && last.robustAccuracy() <= last.cleanAccuracy());
        assertTrue(last.epsilon() > EPS * 0.9, "the ramp reaches the budget by the end of warm-up: " + last.epsilon());
    }

    @Test
    void keepBestRestoresTheBestEpochsParameters() {
        MultiLayerNetworkModel model = freshMlp();
        TrainingReport report = AdversarialTraining.builder(model).method(AdversarialTraining.Method.FAST_FGSM)
                .epsilon(EPS).epochs(2).evaluateOn(heldOut.head(100), 5).keepBest(true).seed(6).build()
                .fit(iterator());
        double best = report.epochs().stream().mapToDouble(TrainingReport.Epoch::robustAccuracy).max().orElseThrow();
        assertEquals(best, report.epochs().get(report.finalEpoch()).robustAccuracy());
        double now = Pgd.builder(model).epsilon(EPS).steps(5).seed(6).earlyStop(true).build()
                .run(heldOut.head(100).features(), heldOut.head(100).labels()).robustAccuracy();
        assertEquals(best, now, 1e-12, "the model ends with the best epoch's parameters");
    }

    @Test
    void weightAveragingEndsWithTheMovingAverageOfEveryStep() {
        MultiLayerNetworkModel model = freshMlp();
        java.util.List<INDArray> starts = new java.util.ArrayList<>();
        java.util.List<INDArray> steps = new java.util.ArrayList<>();
        model.network().setListeners(new BaseTrainingListener() {
            @Override
            public void onGradientCalculation(Model m) {
                starts.add(m.params().dup());
            }

            @Override
            public void iterationDone(Model m, int iteration, int epoch) {
                steps.add(m.params().dup());
            }
        });
        double decay = 0.9;
        java.util.List<INDArray> afterEvaluation = new java.util.ArrayList<>();
        TrainingReport report = AdversarialTraining.builder(model).method(AdversarialTraining.Method.FAST_FGSM)
                .epsilon(EPS).epochs(2).adversarialFraction(0.5).weightAveraging(decay)
                .evaluateOn(heldOut.head(100), 5).seed(6).onEpoch(e -> afterEvaluation.add(model.parameters().dup()))
                .build().fit(iterator());
        assertEquals(80, steps.size());
        assertEquals(80, starts.size());
        assertEquals(steps.get(39), starts.get(40), "training goes on from the network's own parameters");
        INDArray expected = steps.get(0).dup();
        for (int t = 1; t < steps.size(); t++) {
            double d = Math.min(decay, (1.0 + t) / (10.0 + t));
            expected = expected.mul(d).add(steps.get(t).mul(1 - d));
            if (t == 39) {
                double off = Transforms.abs(afterEvaluation.get(0).sub(expected)).maxNumber().doubleValue();
                assertTrue(off < 1e-5, "onEpoch sees the evaluated average, off by " + off);
            }
        }
        double apart = Transforms.abs(model.parameters().sub(expected)).maxNumber().doubleValue();
        double lastStepApart = Transforms.abs(model.parameters().sub(steps.get(79))).maxNumber().doubleValue();
        assertTrue(apart < 1e-5, "the model ends with the average, off by " + apart);
        assertTrue(lastStepApart > 1e-3, "the average is not the last step's parameters: " + lastStepApart);
        double now = Pgd.builder(model).epsilon(EPS).steps(5).seed(6).earlyStop(true).build()
                .run(heldOut.head(100).features(), heldOut.head(100).labels()).robustAccuracy();
        assertEquals(report.epochs().get(1).robustAccuracy(), now, 1e-12, "the last epoch was evaluated on the average");
    }

    @Test
    void tradesSoftLabelsGiveDl4jTheTradesGradient() {
        MultiLayerNetwork net = ReferenceModels.mlp(8).convertDataType(DataType.DOUBLE);
        int n = 4;
        Nd4j.getRandom().setSeed(12);
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, 1, 28, 28);
        INDArray xAdv = x.add(Nd4j.rand(DataType.DOUBLE, n, 1, 28, 28).subi(0.5).muli(0.2));
        INDArray y = Labels.oneHot(new int[] {1, 4, 7, 9}, 10).castTo(DataType.DOUBLE);
        double beta = 3.0;
        INDArray p = net.output(x, false);
        INDArray q = net.output(xAdv, false);
        INDArray targets = TradesStep.targets(p, q, y, beta);
        assertEquals(2 * n, targets.size(0));
        assertTrue(targets.sum(1).equalsWithEps(Nd4j.ones(DataType.DOUBLE, 2 * n), 1e-12), "rows sum to 1");
        net.setInput(Nd4j.concat(0, x, xAdv));
        net.setLabels(targets);
        net.computeGradientAndScore();
        INDArray grad = net.gradient().gradient().dup();
        INDArray params = net.params();
        java.util.Random rnd = new java.util.Random(3);
        double h = 1e-6;
        for (int k = 0; k < 10; k++) {
            long i = rnd.nextInt((int) params.length());
            double orig = params.getDouble(i);
            params.putScalar(i, orig + h);
            double plus = tradesLoss(net, x, xAdv, y, beta);
            params.putScalar(i, orig - h);
            double minus = tradesLoss(net, x, xAdv, y, beta);
            params.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * h);
            // DL4J's raw gradient sums the rows (its updater then divides by the 2n rows): n times the
            // gradient of the mean TRADES loss
            assertEquals(numeric * n, grad.getDouble(i), 1e-7 + 1e-5 * Math.abs(numeric * n), "parameter " + i);
        }
    }

    /** Mean over examples of CE(p, y) + beta KL(p || q), both from the network's output. */
    private static double tradesLoss(MultiLayerNetwork net, INDArray x, INDArray xAdv, INDArray y, double beta) {
        INDArray p = net.output(x, false);
        INDArray q = net.output(xAdv, false);
        INDArray logP = Transforms.log(p, true);
        double ce = -logP.mul(y).sumNumber().doubleValue();
        double kl = p.mul(logP.sub(Transforms.log(q, true))).sumNumber().doubleValue();
        return (ce + beta * kl) / x.size(0);
    }

    @Test
    void invalidSchedulesAreRefusedByName() {
        MultiLayerNetworkModel model = freshMlp();
        assertMessage(() -> AdversarialTraining.builder(model).epsilon(0).build(), "epsilon");
        assertMessage(() -> AdversarialTraining.builder(model).epochs(2).warmupEpochs(3).build(), "warmupEpochs");
        assertMessage(() -> AdversarialTraining.builder(model).warmupEpochs(-1).build(), "warmupEpochs");
        assertMessage(() -> AdversarialTraining.builder(model).adversarialFraction(0).build(), "adversarialFraction");
        assertMessage(() -> AdversarialTraining.builder(model).pgdSteps(0).build(), "pgdSteps");
        assertMessage(() -> AdversarialTraining.builder(model).keepBest(true).build(), "held-out");
        assertMessage(() -> AdversarialTraining.builder(model).patience(-2).build(), "patience");
        assertMessage(() -> AdversarialTraining.builder(model).beta(0).build(), "beta");
        assertMessage(() -> AdversarialTraining.builder(model).weightAveraging(1.0).build(), "weightAveraging");
        assertMessage(() -> AdversarialTraining.builder(model).weightAveraging(-0.5).build(), "weightAveraging");
        assertMessage(() -> AdversarialTraining.builder(model).method(AdversarialTraining.Method.TRADES)
                .adversarialFraction(0.5).build(), "adversarialFraction must be 1");
    }

}
