package dev.rampart.core.testing;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Shared test fixtures: the bundled trained CNN and slices of the bundled test sample. */
public final class Fixtures {

    private static LabeledData test;

    private Fixtures() {
    }

    /** A fresh copy of the bundled reference CNN (trained on Fashion-MNIST). */
    public static MultiLayerNetworkModel trainedCnn() {
        try {
            return BundledModels.referenceCnn();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fresh, small MLP (784-32-10, ReLU, Adam 5e-3) on {@code [n, 1, 28, 28]} inputs in [0, 1],
     * initialized from {@code seed}: cheap enough to train many copies of in one test.
     */
    public static MultiLayerNetworkModel smallMlp(long seed) {
        return MultiLayerNetworkModel.of(dev.rampart.core.model.zoo.ReferenceModels.smallMlp(seed),
                dev.rampart.core.model.zoo.ReferenceModels.INPUT_SHAPE, dev.rampart.core.model.InputDomain.UNIT);
    }

    /** {@code model} seen through its predictions only: a {@link BlackBoxModel} with no gradient. */
    public static BlackBoxModel blackBox(Classifier model) {
        Classifier copy = model.copy();
        return new BlackBoxModel(copy::predictProbabilities, copy.numClasses(), copy.inputShape(), copy.domain());
    }

    /** The first {@code n} images of the bundled test sample. */
    public static synchronized LabeledData testSample(int n) {
        try {
            if (test == null) {
                test = FashionMnist.bundledTest();
            }
            return test.head(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
