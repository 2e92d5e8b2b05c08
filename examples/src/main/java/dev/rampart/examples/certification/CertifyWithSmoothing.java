package dev.rampart.examples.certification;

import dev.rampart.attacks.evasion.DeepFool;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.norm.Norm;
import dev.rampart.defenses.certification.RandomizedSmoothing;
import dev.rampart.defenses.certification.SmoothingCertificates;
import dev.rampart.defenses.training.AdversarialTraining;
import java.io.IOException;
import java.util.Locale;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Randomized smoothing (Cohen, Rosenfeld &amp; Kolter 2019) on the reference MLP: one copy trained
 * normally and one with Gaussian noise of the smoothing's sigma, both certified on test images;
 * then the certificates are checked against attacks: every certified example that PGD-L2 (at a
 * fixed radius inside its certificate) or DeepFool (at a distance inside its certificate) moves is
 * classified again by the smoothed classifier (PREDICT), which must not answer another class.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.certification.CertifyWithSmoothing
 * </pre>
 */
public final class CertifyWithSmoothing {

    /** The noise's standard deviation. */
    public static final double SIGMA = 0.25;
    /** The radius PGD-L2 attacks at. */
    public static final double PGD_RADIUS = 0.25;

    /**
     * What the example measured.
     *
     * @param standard the normally trained model's certificates
     * @param noiseTrained the noise-trained model's certificates
     * @param attacked certified examples an attack moved within their certified radius, checked again
     * @param broken of those, the ones the smoothed classifier gave another class (a certificate broken)
     */
    public record Result(SmoothingCertificates standard, SmoothingCertificates noiseTrained, int attacked, int broken) {
    }

    private CertifyWithSmoothing() {
    }

    /**
     * Trains both MLPs on {@code trainSize} bundled images for {@code epochs}, certifies the first
     * {@code examples} bundled test images with {@code n} noisy copies, and attacks the certified ones.
     */
    public static Result run(int trainSize, int epochs, int examples, int n) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(trainSize);
        LabeledData test = FashionMnist.bundledTest().head(examples);
        MultiLayerNetworkModel standard = fresh();
        MultiLayerNetworkModel noisy = fresh();
        DataSet all = new DataSet(train.features(), Labels.oneHot(train.labels(), train.numClasses()));
        ViewIterator batches = new ViewIterator(all, 64);
        for (int e = 0; e < epochs; e++) {
            batches.reset();
            while (batches.hasNext()) {
                DataSet b = batches.next();
                standard.fit(b.getFeatures(), b.getLabels());
            }
        }
        AdversarialTraining.builder(noisy).method(AdversarialTraining.Method.GAUSSIAN).epsilon(SIGMA).warmupEpochs(0)
                .epochs(epochs).seed(1).build().fit(new ViewIterator(all, 64));

        RandomizedSmoothing.Builder smoothing = RandomizedSmoothing.builder(noisy).sigma(SIGMA).n0(100).n(n)
                .alpha(0.001).seed(3);
        SmoothingCertificates plain = RandomizedSmoothing.builder(standard).sigma(SIGMA).n0(100).n(n).alpha(0.001)
                .seed(3).build().certify(test);
        RandomizedSmoothing smoothed = smoothing.build();
        SmoothingCertificates c = smoothed.certify(test);

        int[] y = test.labels();
        EvasionResult pgd = Pgd.builder(noisy).norm(Norm.L2).epsilon(PGD_RADIUS).steps(40).seed(4).build()
                .run(test.features(), y);
        EvasionResult deepFool = DeepFool.builder(noisy).norm(Norm.L2).epsilon(10).build().run(test.features(), y);
        RandomizedSmoothing.AttackCheck check = smoothed.check(c, pgd, deepFool);
        return new Result(plain, c, check.tried(), check.broken());
    }

    private static MultiLayerNetworkModel fresh() {
        return MultiLayerNetworkModel.of(ReferenceModels.mlp(11), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(FashionMnist.BUNDLED_TRAIN, 5, 200, 10_000);
        double[] radii = {0, 0.25, 0.5, 0.75, 1.0};
        System.out.printf(Locale.ROOT, "randomized smoothing, sigma %.2f, n 10,000, alpha 0.001, 200 test images%n", SIGMA);
        System.out.printf(Locale.ROOT, "%-22s", "L2 radius");
        for (double radius : radii) {
            System.out.printf(Locale.ROOT, "%7.2f", radius);
        }
        System.out.println();
        for (var e : new Object[][] {{"trained normally", r.standard()}, {"trained with noise", r.noiseTrained()}}) {
            SmoothingCertificates c = (SmoothingCertificates) e[1];
            System.out.printf(Locale.ROOT, "%-22s", e[0]);
            for (double radius : radii) {
                System.out.printf(Locale.ROOT, "%6.1f%%", 100 * c.certifiedAccuracy(radius));
            }
            System.out.printf(Locale.ROOT, "   (abstained %.1f%%)%n", 100 * c.abstained());
        }
        System.out.printf(Locale.ROOT, "attacks inside a certificate: %d tried (PGD-L2 at %.2f, DeepFool), %d broken%n",
                r.attacked(), PGD_RADIUS, r.broken());
    }
}
