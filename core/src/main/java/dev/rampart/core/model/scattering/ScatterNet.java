package dev.rampart.core.model.scattering;

import dev.rampart.core.data.LabeledData;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * ScatterNet models (Tramèr &amp; Boneh, "Differentially Private Learning Needs Better Features (or
 * Much More Data)", ICLR 2021): a fixed {@link ScatteringLayer} in front of a linear model or a
 * small tanh CNN. Because the front has no parameters and treats each example alone, its features
 * can be computed once ({@link #features}) and the head trained on them, privately or not; the
 * trained head is then put behind the scattering layer again ({@link #compose}) to give one DL4J
 * network over images, which attacks, audits and the tool use like any other.
 *
 * <pre>{@code
 * ScatteringLayer front = new ScatteringLayer(2, 8, 27);
 * LabeledData feats = ScatterNet.features(front, train);
 * MultiLayerNetwork head = ScatterNet.linearHead(front, new long[] {1, 28, 28}, 10, 7, new Nesterovs(4, 0.9));
 * // ... train head on feats (DpSgd over MultiLayerNetworkModel.of(head, featureShape, domain)) ...
 * MultiLayerNetwork model = ScatterNet.compose(front, new long[] {1, 28, 28}, head);
 * }</pre>
 */
public final class ScatterNet {

    private ScatterNet() {
    }

    /**
     * The scattering features of every example of {@code images} (shape {@code [n, c, h, w]});
     * labels and class count are kept. {@code images} is not changed.
     *
     * @throws IllegalArgumentException naming the parameter
     */
    public static LabeledData features(ScatteringLayer front, LabeledData images) {
        dev.rampart.core.check.Check.notNull("images", images);
        return new LabeledData(images.name() + " (scattering J=" + front.scales() + ", L=" + front.angles() + ")",
                transform(front, images.features()), images.labels(), images.numClasses());
    }

    /**
     * The scattering features of {@code x} ({@code [n, c, h, w]}), computed in chunks that bound
     * the memory used; {@code x} is not changed.
     *
     * @throws IllegalArgumentException naming the parameter, for a bad shape or a NaN or infinite value
     */
    public static INDArray transform(ScatteringLayer front, INDArray x) {
        dev.rampart.core.check.Check.notNull("front", front);
        dev.rampart.core.check.Check.notNull("x", x);
        if (x.rank() != 4) {
            throw new IllegalArgumentException("x must have shape [n, channels, height, width], found "
                    + java.util.Arrays.toString(x.shape()));
        }
        dev.rampart.core.check.Check.finite(x, "x");
        long[] ex = {x.size(1), x.size(2), x.size(3)};
        return new ScatteringStage(copy(front, ex), ex).forward(new INDArray[] {x});
    }

    /** A copy of {@code front} whose input shape is {@code exampleShape}. */
    private static ScatteringLayer copy(ScatteringLayer front, long[] exampleShape) {
        ScatteringLayer layer = new ScatteringLayer(front.scales(), front.angles(), front.groups());
        layer.setNIn(InputType.convolutional(exampleShape[1], exampleShape[2], exampleShape[0]), true);
        return layer;
    }

    /**
     * A linear model (softmax regression) over {@code front}'s features of images of shape
     * {@code imageShape}, as Tramèr &amp; Boneh's ScatterNet+linear; weights start at zero.
     */
    public static MultiLayerNetwork linearHead(ScatteringLayer front, long[] imageShape, int classes, long seed,
            IUpdater updater) {
        return head(front, imageShape, seed, updater, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(dev.rampart.core.check.Check.positive("classes", classes)).activation(Activation.SOFTMAX)
                .weightInit(WeightInit.ZERO).build());
    }

    /**
     * Tramèr &amp; Boneh's small tanh CNN over {@code front}'s features (for 28 x 28 images: a 3 x 3
     * convolution of 16 maps at stride 2, a 3 x 3 convolution of 32 maps, a dense layer of 32, all
     * tanh, then softmax).
     */
    public static MultiLayerNetwork cnnHead(ScatteringLayer front, long[] imageShape, int classes, long seed,
            IUpdater updater) {
        return head(front, imageShape, seed, updater,
                new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(16).activation(Activation.TANH)
                        .build(),
                new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nOut(32).activation(Activation.TANH)
                        .build(),
                new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(dev.rampart.core.check.Check.positive("classes", classes))
                        .activation(Activation.SOFTMAX).build());
    }

    private static MultiLayerNetwork head(ScatteringLayer front, long[] imageShape, long seed, IUpdater updater,
            Layer... layers) {
        dev.rampart.core.check.Check.notNull("front", front);
        dev.rampart.core.check.Check.notNull("updater", updater);
        long[] f = front.outputShape(imageShape);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .weightInit(WeightInit.XAVIER).updater(updater).list();
        for (Layer l : layers) {
            b.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(InputType.convolutional(f[1], f[2], f[0]))
                .build());
        net.init();
        return net;
    }

    /**
     * One network over images: {@code front} followed by {@code head}'s layers, with a copy of
     * {@code head}'s parameters (and its updater and training settings). {@code head} must take
     * {@code front}'s features of images of shape {@code imageShape}; it is not changed.
     *
     * @throws IllegalArgumentException if the head's input does not match the features
     */
    public static MultiLayerNetwork compose(ScatteringLayer front, long[] imageShape, MultiLayerNetwork head) {
        dev.rampart.core.check.Check.notNull("head", head);
        long[] f = front.outputShape(imageShape);
        MultiLayerConfiguration hc = head.getLayerWiseConfigurations();
        InputType headIn = InputType.convolutional(f[1], f[2], f[0]);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(hc.getConf(0).getSeed()).list()
                .layer(new ScatteringLayer(front.scales(), front.angles(), front.groups()));
        for (int i = 0; i < hc.getConfs().size(); i++) {
            b.layer(hc.getConf(i).getLayer().clone());
        }
        MultiLayerConfiguration conf = b.setInputType(InputType.convolutional(imageShape[1], imageShape[2],
                imageShape[0])).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        if (net.numParams() != head.numParams()) {
            throw new IllegalArgumentException("head has " + head.numParams() + " parameters but a head over features "
                    + java.util.Arrays.toString(f) + " (" + headIn + ") has " + net.numParams());
        }
        net.setParams(head.params().dup());
        return net;
    }
}
