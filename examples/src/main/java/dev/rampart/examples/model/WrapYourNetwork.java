package dev.rampart.examples.model;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceTraining;
import dev.rampart.core.norm.Norm;
import java.io.IOException;
import java.util.Locale;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Your own DL4J network, with batch normalization and dropout, under attack: wrap it in a
 * {@link MultiLayerNetworkModel} and every attack gets the gradients of the network as it
 * predicts (dropout off, batch normalization with running statistics), leaving the network as
 * it was.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.model.WrapYourNetwork
 * </pre>
 */
public final class WrapYourNetwork {

    /**
     * What the example measured.
     *
     * @param cleanAccuracy accuracy of the briefly trained network
     * @param robustAccuracy accuracy under PGD-10 at L2 epsilon 1.5
     * @param gradientsRepeat whether two gradient calls gave identical results (no dropout noise)
     * @param parametersUnchanged whether the attack left every parameter and statistic as it was
     */
    public record Result(double cleanAccuracy, double robustAccuracy, boolean gradientsRepeat,
            boolean parametersUnchanged) {
    }

    private WrapYourNetwork() {
    }

    /** Trains a small network on {@code trainSize} bundled images for one epoch and attacks it. */
    public static Result run(int trainSize, int testSize) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .updater(new Adam(2e-3)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build());
        net.init();
        ReferenceTraining.train(net, FashionMnist.bundledTrain().head(trainSize), 1, 32, 7, epoch -> { });

        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, new long[] {1, 28, 28}, InputDomain.UNIT);
        LabeledData test = FashionMnist.bundledTest().head(testSize);
        INDArray before = net.params().dup();
        INDArray oneHot = Labels.oneHot(test.labels(), 10);
        boolean repeat = model.lossGradient(test.features(), oneHot).equals(model.lossGradient(test.features(), oneHot));

        EvasionResult r = Pgd.builder(model).norm(Norm.L2).epsilon(1.5).steps(10).seed(3).build()
                .run(test.features(), test.labels());
        return new Result(r.cleanAccuracy(), r.robustAccuracy(), repeat, before.equals(net.params()));
    }

    public static void main(String[] args) throws IOException {
        Result r = run(2000, 300);
        System.out.printf(Locale.ROOT, "clean %.1f%%, under L2 PGD-10 (eps 1.5) %.1f%%; deterministic gradients: %s;"
                + " network untouched: %s%n", 100 * r.cleanAccuracy(), 100 * r.robustAccuracy(), r.gradientsRepeat(),
                r.parametersUnchanged());
    }
}
