package dev.rampart.defenses.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;

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

        double base = robustAccuracy(standard);
        double pgd = robustAccuracy(pgdTrained);
        double fast = robustAccuracy(fastTrained);
        assertTrue(pgd > base + 0.15, "PGD-AT robust " + pgd + " vs standard " + base);
        assertTrue(fast > base + 0.10, "fast FGSM robust " + fast + " vs standard " + base);
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
    void invalidSchedulesAreRefusedByName() {
        MultiLayerNetworkModel model = freshMlp();
        assertMessage(() -> AdversarialTraining.builder(model).epsilon(0).build(), "epsilon");
        assertMessage(() -> AdversarialTraining.builder(model).epochs(2).warmupEpochs(3).build(), "warmupEpochs");
        assertMessage(() -> AdversarialTraining.builder(model).warmupEpochs(-1).build(), "warmupEpochs");
        assertMessage(() -> AdversarialTraining.builder(model).adversarialFraction(0).build(), "adversarialFraction");
        assertMessage(() -> AdversarialTraining.builder(model).pgdSteps(0).build(), "pgdSteps");
        assertMessage(() -> AdversarialTraining.builder(model).keepBest(true).build(), "held-out");
        assertMessage(() -> AdversarialTraining.builder(model).patience(-2).build(), "patience");
    }

}
