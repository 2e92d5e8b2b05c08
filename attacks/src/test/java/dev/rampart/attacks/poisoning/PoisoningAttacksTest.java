package dev.rampart.attacks.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.testing.Fixtures;
import java.io.IOException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class PoisoningAttacksTest {

    static LabeledData train;
    static LabeledData test;

    /** A small MLP, 8 epochs: the user's training routine of these tests. */
    static final TrainingRoutine MLP = (data, seed) -> {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(2e-3)).list()
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        ShuffledBatches b = new ShuffledBatches(data, 64, seed);
        for (int e = 0; e < 8; e++) {
            b.reset();
            while (b.hasNext()) {
                net.fit(b.next());
            }
        }
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    };

    @BeforeAll
    static void load() throws IOException {
        train = FashionMnist.bundledTrain().head(3000);
        test = FashionMnist.bundledTest().head(1000);
    }

    @Test
    void labelFlippingChangesExactlyTheChosenLabels() {
        INDArray before = train.features().dup();
        PoisonedData p = LabelFlipping.uniform(0.1, 3).poison(train);
        assertEquals(300, p.poisoned().length);
        int[] y0 = train.labels();
        int[] y1 = p.data().labels();
        boolean[] mask = p.poisonedMask();
        for (int i = 0; i < y0.length; i++) {
            assertEquals(mask[i], y0[i] != y1[i], "example " + i);
        }
        assertEquals(before, train.features(), "the clean data is not modified");
        assertEquals(train.features(), p.data().features());

        LabelFlipping t = LabelFlipping.targeted(6, 0, 0.5, 3);
        PoisonedData q = t.poison(train);
        for (int i : q.poisoned()) {
            assertEquals(6, y0[i]);
            assertEquals(0, q.data().labels()[i]);
        }
        long shirts = java.util.Arrays.stream(y0).filter(c -> c == 6).count();
        assertEquals(Math.round(shirts * 0.5), q.poisoned().length);
        LabeledData goal = t.attackTest(test);
        assertTrue(java.util.Arrays.stream(goal.labels()).allMatch(c -> c == 0));
    }

    @Test
    void badNetsStampsTheTriggerAndTheModelLearnsIt() {
        BadNets attack = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.1, 5);
        PoisonedData p = attack.poison(train);
        assertEquals(300, p.poisoned().length);
        for (int i : p.poisoned()) {
            assertNotEquals(0, train.labels()[i], "all-to-one draws from the other classes");
            assertEquals(0, p.data().labels()[i]);
            assertEquals(1.0, p.data().features().getDouble(i, 0, 23, 23), 0);
            assertEquals(0.0, p.data().features().getDouble(i, 0, 23, 24), 0);
        }
        int clean = java.util.stream.IntStream.range(0, 3000).filter(i -> !p.poisonedMask()[i]).findFirst().orElseThrow();
        assertEquals(train.features().slice(clean), p.data().features().slice(clean));
        LabeledData asrTest = attack.attackTest(test);
        assertTrue(java.util.Arrays.stream(asrTest.labels()).allMatch(c -> c == 0));
        assertEquals(test.size() - java.util.Arrays.stream(test.labels()).filter(c -> c == 0).count(), asrTest.size());

        PoisoningEvaluation backdoored = PoisoningEvaluation.train(MLP, p, test, asrTest, 1);
        PoisoningEvaluation cleanModel = PoisoningEvaluation.train(MLP, train, test, asrTest, 1);
        assertTrue(backdoored.attackSuccessRate() > 0.9, "attack success " + backdoored.attackSuccessRate());
        assertTrue(cleanModel.attackSuccessRate() < 0.2, "a clean model ignores the trigger: "
                + cleanModel.attackSuccessRate());
        assertTrue(backdoored.cleanAccuracy() > cleanModel.cleanAccuracy() - 0.05,
                backdoored.cleanAccuracy() + " vs " + cleanModel.cleanAccuracy());
    }

    @Test
    void allToAllAndBlendedTriggers() {
        PoisonedData p = BadNets.allToAll(Trigger.square(3, 1.0, 0, 0), 0.05, 2).poison(train);
        for (int i : p.poisoned()) {
            assertEquals((train.labels()[i] + 1) % 10, p.data().labels()[i]);
        }
        INDArray kitty = Nd4j.rand(new long[] {1, 28, 28});
        INDArray x = Rows.gather(train.features(), new int[] {0});
        INDArray blended = Trigger.blend(kitty, 0.2).stamp(x);
        INDArray expected = x.mul(0.8).add(kitty.reshape(1, 1, 28, 28).mul(0.2));
        assertEquals(0, blended.sub(expected).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void featureCollisionPullsFeaturesTowardTheTargetAndKeepsLabels() {
        MultiLayerNetworkModel cnn = Fixtures.trainedCnn();
        String layer = cnn.layerNames().get(cnn.layerNames().size() - 2);
        INDArray shirt = test.features().slice(java.util.Arrays.stream(test.labels()).boxed().toList().indexOf(6));
        FeatureCollision fc = FeatureCollision.builder(cnn).target(shirt).baseClass(0).poisons(10).steps(150).beta(0.5)
                .learningRate(0.05).seed(4).build();
        PoisonedData p = fc.poison(train);
        assertEquals(train.labels()[p.poisoned()[0]], p.data().labels()[p.poisoned()[0]], "clean label");
        INDArray bases = Rows.gather(train.features(), p.poisoned());
        INDArray poisons = Rows.gather(p.data().features(), p.poisoned());
        INDArray ft = cnn.activations(shirt.reshape(1, 1, 28, 28), layer);
        double before = cnn.activations(bases, layer).subRowVector(ft).norm2Number().doubleValue();
        double after = cnn.activations(poisons, layer).subRowVector(ft).norm2Number().doubleValue();
        assertTrue(after < 0.5 * before, "feature distance " + before + " -> " + after);
        double moved = poisons.sub(bases).norm2Number().doubleValue();
        // a heavier input term keeps the poisons nearer their bases, and their features farther from the target
        PoisonedData tight = FeatureCollision.builder(cnn).target(shirt).baseClass(0).poisons(10).steps(150).beta(5)
                .learningRate(0.05).seed(4).build().poison(train);
        INDArray tightPoisons = Rows.gather(tight.data().features(), tight.poisoned());
        assertTrue(tightPoisons.sub(bases).norm2Number().doubleValue() < moved, "beta 5 vs 0.5");
        assertTrue(cnn.activations(tightPoisons, layer).subRowVector(ft).norm2Number().doubleValue() > after);
        assertTrue(poisons.minNumber().doubleValue() >= 0 && poisons.maxNumber().doubleValue() <= 1);
        assertEquals(0, fc.attackTest().labels()[0]);
    }

    @Test
    void badInputIsNamed() {
        Trigger t = Trigger.square(3, 1.0, 0, 0);
        assertMessage(() -> BadNets.allToOne(t, 0, 0, 1), "rate must be in (0, 1), found 0.0");
        assertMessage(() -> BadNets.allToOne(t, 0, 1, 1), "rate must be in (0, 1), found 1.0");
        assertMessage(() -> BadNets.allToOne(t, 0, Double.NaN, 1), "rate must be in (0, 1), found NaN");
        assertMessage(() -> BadNets.allToOne(t, 10, 0.1, 1).poison(train), "target must be a class in [0, 10), found 10");
        assertMessage(() -> BadNets.allToOne(t, -1, 0.1, 1), "target must be a class (>= 0), found -1");
        assertMessage(() -> BadNets.allToOne(Trigger.square(5, 1.0, 26, 0), 0, 0.1, 1).poison(train),
                "does not fit inside images of shape [1, 28, 28]");
        assertMessage(() -> BadNets.allToOne(Trigger.square(30, 1.0, 0, 0), 0, 0.1, 1).poison(train),
                "does not fit");
        assertMessage(() -> BadNets.allToOne(Trigger.square(3, 2.0, 0, 0), 0, 0.1, 1).poison(train),
                "outside the input domain [0.0, 1.0]");
        assertMessage(() -> Trigger.square(0, 1, 0, 0), "size must be positive, found 0");
        // NaN never reaches the data: not in a trigger, not in the images a trigger is stamped on
        assertMessage(() -> Trigger.square(3, Double.NaN, 0, 0), "pattern holds 9 NaN");
        INDArray kittyNan = Nd4j.rand(1, 28, 28);
        kittyNan.putScalar(new long[] {0, 3, 3}, Double.NaN);
        assertMessage(() -> Trigger.blend(kittyNan, 0.1), "image holds 1 NaN");
        INDArray images = train.head(2).features().dup();
        images.putScalar(new long[] {1, 0, 5, 5}, Double.POSITIVE_INFINITY);
        assertMessage(() -> t.stamp(images), "x holds 0 NaN and 1 infinite values");
        assertMessage(() -> Trigger.blend(Nd4j.rand(1, 28, 28), 0), "alpha must be in (0, 1], found 0.0");
        assertMessage(() -> LabelFlipping.targeted(3, 3, 0.1, 1), "two different classes");
        assertMessage(() -> LabelFlipping.targeted(3, 12, 0.1, 1).poison(train), "target must be a class in [0, 10)");
        assertMessage(() -> LabelFlipping.uniform(1.5, 1), "rate must be in (0, 1), found 1.5");
        Classifier cnn = Fixtures.trainedCnn();
        assertMessage(() -> FeatureCollision.builder((MultiLayerNetworkModel) cnn).target(Nd4j.rand(1, 10))
                .baseClass(0).build(), "target must be one example of shape [1, 28, 28]");
        assertMessage(() -> FeatureCollision.builder((MultiLayerNetworkModel) cnn).target(Nd4j.rand(1, 28, 28))
                .baseClass(11).build(), "baseClass must be a class in [0, 10), found 11");
        assertMessage(() -> FeatureCollision.builder((MultiLayerNetworkModel) cnn).target(Nd4j.rand(1, 28, 28))
                .baseClass(1).watermark(1).build(), "watermark must be in [0, 1), found 1.0");
    }
}
