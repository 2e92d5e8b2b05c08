package dev.rampart.examples.privacy;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.scattering.ScatterNet;
import dev.rampart.core.model.scattering.ScatteringLayer;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.io.IOException;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * Private training on handcrafted features (Tramèr &amp; Boneh, "Differentially Private Learning
 * Needs Better Features (or Much More Data)", ICLR 2021): a fixed wavelet scattering transform
 * ({@link ScatteringLayer}, J = 2, L = 8, 27 normalization groups) turns each bundled Fashion-MNIST
 * image into 81 x 7 x 7 features once; a linear model learns from them with DP-SGD at a target
 * epsilon; then the scattering layer and the private head become one network over images, which
 * is attacked with PGD through the scattering layer.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.privacy.PrivateScatterNet
 * </pre>
 */
public final class PrivateScatterNet {

    /** The L-infinity budget of the attack on the composed network. */
    public static final double EPSILON = 0.05;

    /**
     * What the example measured.
     *
     * @param noiseMultiplier the calibrated sigma
     * @param epsilon the privacy spent
     * @param heldOutAccuracy the private head's accuracy on held-out features
     * @param imageAccuracy the composed network's accuracy on the same held-out images
     * @param attackedClean clean accuracy of the composed network on the attacked images
     * @param attackedRobust its accuracy under PGD at {@link #EPSILON} through the scattering layer
     */
    public record Result(double noiseMultiplier, double epsilon, double heldOutAccuracy, double imageAccuracy,
            double attackedClean, double attackedRobust) {
    }

    private PrivateScatterNet() {
    }

    /**
     * Trains on {@code examples} bundled training images for {@code epochs} at {@code targetEpsilon},
     * evaluates on 200 held-out images and attacks the first {@code attacked} of them.
     */
    public static Result run(int examples, int epochs, double targetEpsilon, int attacked) throws IOException {
        ScatteringLayer front = new ScatteringLayer(2, 8, 27);
        LabeledData images = FashionMnist.bundledTest().head(200);
        LabeledData train = ScatterNet.features(front, FashionMnist.bundledTrain().head(examples));
        LabeledData heldOut = ScatterNet.features(front, images);
        int batch = Math.max(1, examples / 10);
        long steps = (long) epochs * 10;
        double sigma = RdpAccountant.noiseMultiplier(targetEpsilon, (double) batch / examples, steps, 1e-5,
                RdpAccountant.DEFAULT_ORDERS);
        MultiLayerNetwork head = ScatterNet.linearHead(front, ReferenceModels.INPUT_SHAPE, 10, 7,
                new Nesterovs(2, 0.9));
        double bound = front.outputBound(ReferenceModels.INPUT_SHAPE, 1.0);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(head, train.exampleShape(),
                new InputDomain(-bound, bound));
        DpSgd.PrivacyReport r = DpSgd.builder(model).clipNorm(0.1).noiseMultiplier(sigma).expectedBatchSize(batch)
                .epochs(epochs).delta(1e-5).seed(3).evaluateOn(heldOut).build().fit(train);

        MultiLayerNetworkModel whole = MultiLayerNetworkModel.of(ScatterNet.compose(front,
                ReferenceModels.INPUT_SHAPE, head), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        double imageAccuracy = dev.rampart.core.metric.Metrics.accuracy(whole.predictClasses(images.features()),
                images.labels());
        LabeledData target = images.head(attacked);
        EvasionResult pgd = Pgd.builder(whole).norm(Norm.LINF).epsilon(EPSILON).steps(10).seed(1).build()
                .run(target.features(), target.labels());
        return new Result(sigma, r.epsilon(), r.epochs().get(r.epochs().size() - 1).heldOutAccuracy(), imageAccuracy,
                pgd.cleanAccuracy(), pgd.robustAccuracy());
    }

    public static void main(String[] args) throws IOException {
        Result r = run(FashionMnist.BUNDLED_TRAIN, 20, 3.0, 100);
        System.out.printf(Locale.ROOT, "DP-SGD, ScatterNet + linear, bundled sample: sigma %.3f for epsilon <= 3"
                + " (delta 1e-5); spent epsilon %.3f; held-out accuracy %.1f%% (features), %.1f%% (images, composed"
                + " network)%n", r.noiseMultiplier(), r.epsilon(), 100 * r.heldOutAccuracy(), 100 * r.imageAccuracy());
        System.out.printf(Locale.ROOT, "PGD (L-inf %.2f, 10 steps) through the scattering layer: accuracy %.1f%% ->"
                + " %.1f%%%n", EPSILON, 100 * r.attackedClean(), 100 * r.attackedRobust());
    }
}
