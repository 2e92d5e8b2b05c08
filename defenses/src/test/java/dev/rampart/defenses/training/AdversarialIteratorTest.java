package dev.rampart.defenses.training;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import java.io.IOException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;

/** Adversarial training inside DL4J's own fit loop, through the iterator wrapper. */
class AdversarialIteratorTest {

    private static ViewIterator clean(LabeledData d) {
        return new ViewIterator(new DataSet(d.features(), Labels.oneHot(d.labels(), 10)), 50);
    }

    @Test
    void netFitOnTheWrapperTrainsExactlyAsTheTrainer() throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(400);
        for (AdversarialStep step : new AdversarialStep[] {PgdStep.pgd(Norm.LINF, 3, 0.5),
            PgdStep.fastFgsm(Norm.LINF, 1.0), new TradesStep(Norm.LINF, 2, 3.0)}) {
            MultiLayerNetwork ownLoop = ReferenceModels.mlp(5);
            MultiLayerNetworkModel ownModel = MultiLayerNetworkModel.of(ownLoop, ReferenceModels.INPUT_SHAPE,
                    InputDomain.UNIT);
            AdversarialIterator it = AdversarialIterator.of(ownModel, step, 0.1, 9, clean(train));
            assertFalse(it.asyncSupported(), "crafting must not run ahead on another thread");
            ownLoop.fit(it); // DL4J's own loop, listeners and all

            MultiLayerNetworkModel trained = MultiLayerNetworkModel.of(ReferenceModels.mlp(5),
                    ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
            AdversarialTraining.Method method = step instanceof TradesStep ? AdversarialTraining.Method.TRADES
                    : step.name().equals("fast-FGSM") ? AdversarialTraining.Method.FAST_FGSM
                    : AdversarialTraining.Method.PGD;
            AdversarialTraining.builder(trained).method(method).epsilon(0.1).pgdSteps(method
                    == AdversarialTraining.Method.TRADES ? 2 : 3).beta(3.0)
                    .adversarialFraction(method == AdversarialTraining.Method.PGD ? 0.5 : 1.0).epochs(1).seed(9)
                    .build().fit(clean(train));
            INDArray a = ownLoop.params();
            INDArray b = trained.parameters();
            assertTrue(a.equalsWithEps(b, 1e-5), step.name() + ": the two loops must take the same steps");
            assertFalse(a.equalsWithEps(ReferenceModels.mlp(5).params(), 1e-3), step.name() + " trained");
        }
    }

    @Test
    void stepsCraftFromTheirOwnSeedAndKeepInputsUntouched() throws IOException {
        LabeledData d = FashionMnist.bundledTest().head(20);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(ReferenceModels.mlp(2), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        INDArray x = d.features().dup();
        INDArray y = Labels.oneHot(d.labels(), 10);
        DataSet half = PgdStep.pgd(Norm.LINF, 2, 0.5).craft(model, x, y, 0.1, 4);
        assertTrue(x.equals(d.features()), "x must not be modified");
        int changed = 0;
        for (int i = 0; i < 20; i++) {
            changed += half.getFeatures().reshape(20, 784).getRow(i).equals(x.reshape(20, 784).getRow(i)) ? 0 : 1;
        }
        assertTrue(changed == 10, "half the rows are adversarial: " + changed);
        DataSet trades = new TradesStep(Norm.LINF, 2, 6.0).craft(model, x, y, 0.1, 4);
        assertArrayEquals(new long[] {40, 1, 28, 28}, trades.getFeatures().shape());
        assertArrayEquals(new long[] {40, 10}, trades.getLabels().shape());
        assertMessage(() -> PgdStep.pgd(Norm.LINF, 0, 1.0), "pgdSteps");
        assertMessage(() -> PgdStep.pgd(Norm.LINF, 3, 1.5), "adversarialFraction");
        assertMessage(() -> new TradesStep(Norm.LINF, 3, -1), "beta");
        assertMessage(() -> AdversarialIterator.of(model, PgdStep.pgd(Norm.LINF, 3, 1.0), 0, 1, clean(d)), "epsilon");
    }
}
