package dev.rampart.core.model.zoo;

import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.io.IOException;
import java.io.InputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Models that ship inside Rampart, as DL4J model zips on the class path.
 *
 * <ul>
 *   <li>{@link #referenceCnn()}: {@link ReferenceModels#cnn} trained with standard training on the
 *       full Fashion-MNIST training set ({@code ./rampart train --method standard} in the benchmarks module
 *       reproduces it).</li>
 *   <li>{@link #robustCnn()}: the same architecture trained with PGD adversarial training at
 *       L-inf 0.1 on the full training set: the best of 12 epochs (epoch 10), then 7 more
 *       epochs from it ({@code ./rampart train --method pgd}, then its {@code --init FILE} option on the first
 *       run's zip, reproduce it; the commands are in the benchmarks' BENCHMARKS.md).</li>
 * </ul>
 *
 * <pre>{@code
 * MultiLayerNetworkModel model = BundledModels.referenceCnn();
 * }</pre>
 */
public final class BundledModels {

    /** Class-path location of the standard reference CNN. */
    public static final String REFERENCE_CNN = "/dev/rampart/core/model/zoo/reference-cnn-fashion-mnist.zip";

    /** Class-path location of the PGD-trained (robust) reference CNN. */
    public static final String ROBUST_CNN = "/dev/rampart/core/model/zoo/robust-cnn-fashion-mnist.zip";

    private BundledModels() {
    }

    /** A fresh copy of the bundled, normally trained reference CNN. */
    public static MultiLayerNetworkModel referenceCnn() throws IOException {
        return MultiLayerNetworkModel.of(load(REFERENCE_CNN), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    /** A fresh copy of the bundled reference CNN trained with PGD adversarial training (L-inf 0.1). */
    public static MultiLayerNetworkModel robustCnn() throws IOException {
        return MultiLayerNetworkModel.of(load(ROBUST_CNN), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    static MultiLayerNetwork load(String resource) throws IOException {
        try (InputStream in = BundledModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("bundled model " + resource + " is missing from the class path");
            }
            return ModelSerializer.restoreMultiLayerNetwork(in, false);
        }
    }
}
