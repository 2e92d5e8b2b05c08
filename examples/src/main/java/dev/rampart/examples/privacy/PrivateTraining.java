package dev.rampart.examples.privacy;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.io.IOException;
import java.util.Locale;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Differentially private training of a small tanh network on the bundled Fashion-MNIST sample
 * with DP-SGD, the noise multiplier calibrated for a target epsilon by the RDP accountant first.
 * Tanh activations follow Papernot et al. ("Tempered sigmoid activations for deep learning with
 * differential privacy", AAAI 2021), who found them better than ReLU under DP-SGD.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.privacy.PrivateTraining
 * </pre>
 */
public final class PrivateTraining {

    /**
     * What the example measured.
     *
     * @param noiseMultiplier the calibrated sigma
     * @param epsilon the privacy spent
     * @param heldOutAccuracy accuracy on held-out sample images after training
     */
    public record Result(double noiseMultiplier, double epsilon, double heldOutAccuracy) {
    }

    private PrivateTraining() {
    }

    /** Trains on {@code examples} bundled training images for {@code epochs} at target {@code epsilon}. */
    public static Result run(int examples, int epochs, double targetEpsilon) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(examples);
        LabeledData heldOut = FashionMnist.bundledTest().head(500);
        int batch = 200;
        double q = (double) batch / train.size();
        long steps = (long) epochs * (long) Math.ceil((double) train.size() / batch);
        double sigma = RdpAccountant.noiseMultiplier(targetEpsilon, q, steps, 1e-5, RdpAccountant.DEFAULT_ORDERS);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(1.0))
                .list()
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        DpSgd.PrivacyReport r = DpSgd.builder(model).clipNorm(1).noiseMultiplier(sigma).expectedBatchSize(batch)
                .epochs(epochs).delta(1e-5).seed(3).evaluateOn(heldOut).build().fit(train);
        return new Result(sigma, r.epsilon(), r.epochs().get(r.epochs().size() - 1).heldOutAccuracy());
    }

    public static void main(String[] args) throws IOException {
        Result r = run(FashionMnist.BUNDLED_TRAIN, 10, 3.0);
        System.out.printf(Locale.ROOT, "DP-SGD, tanh MLP, bundled sample: sigma %.3f for epsilon <= 3 (delta 1e-5);"
                + " spent epsilon %.3f; held-out accuracy %.1f%%%n", r.noiseMultiplier(), r.epsilon(),
                100 * r.heldOutAccuracy());
    }
}
