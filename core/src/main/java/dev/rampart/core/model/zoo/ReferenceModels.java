package dev.rampart.core.model.zoo;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The reference models of Rampart's tests, benchmarks and bundled audit, for 28x28 one-channel
 * images such as Fashion-MNIST (input {@code [n, 1, 28, 28]}, values in {@code [0, 1]}).
 *
 * <ul>
 *   <li>{@link #cnn(long)}: conv 5x5x16, ReLU, max-pool 2, conv 5x5x32, ReLU, max-pool 2,
 *       dense 128 ReLU, dense 10 softmax (about 80,000 parameters).</li>
 *   <li>{@link #mlp(long)}: 784-256-256-10 with ReLU.</li>
 *   <li>{@link #stridedCnn(long)}: the CNN of Croce, Andriushchenko &amp; Hein ("Provable robustness
 *       of ReLU networks via maximization of linear regions", AISTATS 2019), to compare Rampart's
 *       adversarial training with theirs: conv 4x4x16 stride 2, ReLU, conv 4x4x32 stride 2, ReLU
 *       (both "same" padding), dense 100 ReLU, dense 10 softmax (about 166,000 parameters, most of
 *       them in the first dense layer; about half the reference CNN's multiply-adds).</li>
 *   <li>{@link #tanhCnn(long, IUpdater)}: the private-training CNN of Papernot, Thakurta, Song,
 *       Chien &amp; Erlingsson ("Tempered sigmoid activations for deep learning with differential
 *       privacy", AAAI 2021): conv 8x8x16 stride 2 "same", tanh, max-pool 2 stride 1, conv 4x4x32
 *       stride 2, tanh, max-pool 2 stride 1, dense 32 tanh, dense 10 softmax (about 26,000
 *       parameters). No batch normalization or dropout, so DP-SGD can train it.</li>
 * </ul>
 *
 * <pre>{@code
 * MultiLayerNetwork net = ReferenceModels.cnn(42);   // initialized, untrained
 * }</pre>
 */
public final class ReferenceModels {

    /** Shape of one input example. */
    public static final long[] INPUT_SHAPE = {1, 28, 28};
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** The names {@link #byName} knows. */
    public static final List<String> NAMES = List.of("cnn", "mlp", "strided-cnn", "tanh-cnn", "scatter-linear");
    /** Adam learning rate used to train both models. */
    public static final double LEARNING_RATE = 1e-3;

    private ReferenceModels() {
    }

    /** The reference CNN, initialized with {@code seed}. */
    public static MultiLayerNetwork cnn(long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(16).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(softmaxOutput())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        return init(conf);
    }

    /**
     * A small MLP (784-32-10, ReLU, Adam 5e-3, DL4J's default initialization) on the same input:
     * cheap enough to train many times in one test or audit.
     */
    public static MultiLayerNetwork smallMlp(long seed) {
        return init(new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(5e-3)).list()
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                .layer(softmaxOutput())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
    }

    /** The reference MLP (784-256-256-10), taking the same {@code [n, 1, 28, 28]} input. */
    public static MultiLayerNetwork mlp(long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(softmaxOutput())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        return init(conf);
    }

    /** The strided CNN of Croce, Andriushchenko &amp; Hein (2019), initialized with {@code seed}. */
    public static MultiLayerNetwork stridedCnn(long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new ConvolutionLayer.Builder(4, 4).stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(16)
                        .activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(4, 4).stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(32)
                        .activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(100).activation(Activation.RELU).build())
                .layer(softmaxOutput())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        return init(conf);
    }

    /**
     * The tempered-sigmoid CNN of Papernot et al. (2021), initialized with {@code seed}, trained by
     * {@code updater} (they train it with plain SGD under DP-SGD).
     */
    public static MultiLayerNetwork tanhCnn(long seed, IUpdater updater) {
        if (updater == null) {
            throw new IllegalArgumentException("updater must not be null");
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.XAVIER)
                .updater(updater).list()
                .layer(new ConvolutionLayer.Builder(8, 8).stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(16)
                        .activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new ConvolutionLayer.Builder(4, 4).stride(2, 2).nOut(32).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build())
                .layer(softmaxOutput())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        return init(conf);
    }

    /**
     * ScatterNet + linear (Tramèr &amp; Boneh 2021): a fixed wavelet scattering layer (J = 2, L = 8,
     * 27 per-example normalization groups) and softmax regression on its 81 x 7 x 7 features,
     * initialized with {@code seed}, trained by {@code updater}. Only the linear part has parameters.
     */
    public static MultiLayerNetwork scatterLinear(long seed, IUpdater updater) {
        if (updater == null) {
            throw new IllegalArgumentException("updater must not be null");
        }
        dev.rampart.core.model.scattering.ScatteringLayer front =
                new dev.rampart.core.model.scattering.ScatteringLayer(2, 8, 27);
        return dev.rampart.core.model.scattering.ScatterNet.compose(front, INPUT_SHAPE,
                dev.rampart.core.model.scattering.ScatterNet.linearHead(front, INPUT_SHAPE, CLASSES, seed, updater));
    }

    /**
     * A reference model by name: {@code cnn}, {@code mlp}, {@code strided-cnn}, {@code tanh-cnn} or
     * {@code scatter-linear} (the last two with Adam at {@link #LEARNING_RATE}, like the others).
     *
     * @throws IllegalArgumentException naming the unknown model
     */
    public static MultiLayerNetwork byName(String name, long seed) {
        return switch (name == null ? "" : name) {
            case "cnn" -> cnn(seed);
            case "mlp" -> mlp(seed);
            case "strided-cnn" -> stridedCnn(seed);
            case "tanh-cnn" -> tanhCnn(seed, new Adam(LEARNING_RATE));
            case "scatter-linear" -> scatterLinear(seed, new Adam(LEARNING_RATE));
            default -> throw new IllegalArgumentException("model must be one of " + NAMES + ", found " + name);
        };
    }

    /**
     * The training routine of a reference model: {@link #byName} from the routine's seed, then
     * {@code epochs} epochs of shuffled batches (shuffled with the same seed) by the network's own
     * fit, Adam at {@link #LEARNING_RATE}.
     *
     * <pre>{@code
     * Classifier m = ReferenceModels.routine("cnn", 3, 128).train(poisonedTrain, 7);
     * }</pre>
     *
     * @throws IllegalArgumentException naming the unknown model or a non-positive count
     */
    public static dev.rampart.core.model.TrainingRoutine routine(String name, int epochs, int batchSize) {
        byName(name, 0);
        dev.rampart.core.check.Check.positive("epochs", epochs);
        dev.rampart.core.check.Check.positive("batchSize", batchSize);
        return (data, seed) -> {
            MultiLayerNetwork net = byName(name, seed);
            dev.rampart.core.data.ShuffledBatches b = new dev.rampart.core.data.ShuffledBatches(data, batchSize, seed);
            for (int e = 0; e < epochs; e++) {
                b.reset();
                while (b.hasNext()) {
                    net.fit(b.next());
                }
            }
            return dev.rampart.core.model.dl4j.MultiLayerNetworkModel.of(net, INPUT_SHAPE,
                    dev.rampart.core.model.InputDomain.UNIT);
        };
    }

    private static OutputLayer softmaxOutput() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX)
                .build();
    }

    private static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.RELU)
                .updater(new Adam(LEARNING_RATE));
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
