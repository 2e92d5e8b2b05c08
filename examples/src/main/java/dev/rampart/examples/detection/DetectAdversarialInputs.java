package dev.rampart.examples.detection;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.defenses.detection.FeatureSqueezing;
import dev.rampart.defenses.guard.Guard;
import java.io.IOException;
import java.util.Locale;

/**
 * Feature squeezing in front of the bundled CNN: calibrate the detector on clean images for a
 * 5% false-positive rate, then measure how many held-out clean images and how many successful
 * FGSM and PGD adversarial examples it flags. The main method prints the figures recorded in
 * {@code benchmarks/BENCHMARKS.md}.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.detection.DetectAdversarialInputs
 * </pre>
 */
public final class DetectAdversarialInputs {

    /**
     * What the example measured.
     *
     * @param threshold the calibrated threshold
     * @param falsePositiveRate share of held-out clean images flagged
     * @param fgsmDetection share of successful FGSM (L-inf 0.1) examples flagged
     * @param pgdDetection share of successful PGD-20 (L-inf 0.1) examples flagged
     * @param weakPgdDetection share of successful PGD-20 (L-inf 0.05) examples flagged
     */
    public record Result(double threshold, double falsePositiveRate, double fgsmDetection, double pgdDetection,
            double weakPgdDetection) {
    }

    private DetectAdversarialInputs() {
    }

    /** Calibrates on the first {@code calibrationSize} bundled test images, measures on the next {@code heldOut}. */
    public static Result run(int calibrationSize, int heldOut) throws IOException {
        MultiLayerNetworkModel model = BundledModels.referenceCnn();
        LabeledData test = FashionMnist.bundledTest();
        LabeledData calibration = test.slice(0, calibrationSize);
        LabeledData held = test.slice(calibrationSize, calibrationSize + heldOut);

        FeatureSqueezing detector = FeatureSqueezing.builder(model).falsePositiveRate(0.05)
                .fit(calibration.features());
        Guard guard = Guard.flagging(model, detector);

        EvasionResult fgsm = Fgsm.builder(model).epsilon(0.1).build().run(held.features(), held.labels());
        EvasionResult pgd = Pgd.builder(model).epsilon(0.1).steps(20).seed(1).build()
                .run(held.features(), held.labels());
        EvasionResult weak = Pgd.builder(model).epsilon(0.05).steps(20).seed(1).build()
                .run(held.features(), held.labels());
        return new Result(detector.threshold(), Metrics.share(guard.decide(held.features()).flagged(), null),
                Metrics.share(detector.flag(fgsm.adversarial()), fgsm.success()),
                Metrics.share(detector.flag(pgd.adversarial()), pgd.success()),
                Metrics.share(detector.flag(weak.adversarial()), weak.success()));
    }


    public static void main(String[] args) throws IOException {
        Result r = run(1000, 1000);
        System.out.printf(Locale.ROOT, "feature squeezing (2-bit depth, 2x2 median), threshold %.4f%n", r.threshold());
        System.out.printf(Locale.ROOT, "held-out clean images flagged: %.1f%% (target 5%%)%n", 100 * r.falsePositiveRate());
        System.out.printf(Locale.ROOT, "successful adversarial examples flagged: FGSM eps 0.1 %.1f%%, PGD-20 eps 0.1 %.1f%%,"
                + " PGD-20 eps 0.05 %.1f%%%n", 100 * r.fgsmDetection(), 100 * r.pgdDetection(), 100 * r.weakPgdDetection());
    }
}
