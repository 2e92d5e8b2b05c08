package dev.rampart.defenses.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.testing.Fixtures;
import dev.rampart.defenses.guard.Guard;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureSqueezingTest {

    private MultiLayerNetworkModel model;
    private LabeledData calibration;
    private LabeledData heldOut;

    @BeforeAll
    void load() throws IOException {
        model = Fixtures.trainedCnn();
        LabeledData test = FashionMnist.bundledTest();
        calibration = test.slice(0, 400);
        heldOut = test.slice(1000, 1400);
    }

    @Test
    void bitDepthReductionRoundsToEvenLevels() {
        INDArray x = Nd4j.create(new float[] {0f, 0.2f, 0.6f, 1f}, new long[] {1, 1, 2, 2});
        assertArrayEquals(new float[] {0, 0, 1, 1},
                new BitDepthReduction(1, InputDomain.UNIT).squeeze(x).reshape(4).toFloatVector(), 1e-6f);
        assertArrayEquals(new float[] {0, 1 / 3f, 2 / 3f, 1},
                new BitDepthReduction(2, InputDomain.UNIT).squeeze(x).reshape(4).toFloatVector(), 1e-6f);
        assertArrayEquals(new float[] {0f, 0.2f, 0.6f, 1f}, x.reshape(4).toFloatVector(), "input untouched");
        INDArray wide = Nd4j.create(new float[] {-1f, 0.1f}, new long[] {1, 2});
        assertArrayEquals(new float[] {-1, 1},
                new BitDepthReduction(1, new InputDomain(-1, 1)).squeeze(wide).reshape(2).toFloatVector(), 1e-6f);
    }

    @Test
    void medianSmoothingTakesTheUpperMedianOfTheWindow() {
        INDArray x = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new long[] {1, 1, 3, 3});
        float[] out = new MedianSmoothing(2).squeeze(x).reshape(9).toFloatVector();
        assertEquals(1f, out[0]);
        assertEquals(3f, out[2]);
        assertEquals(4f, out[4]);
        assertEquals(8f, out[8]);
        float[] three = new MedianSmoothing(3).squeeze(x).reshape(9).toFloatVector();
        assertEquals(5f, three[4], "the median of 1..9");
    }

    @Test
    void heldOutFalsePositiveRateIsNearTarget() {
        FeatureSqueezing fs = FeatureSqueezing.builder(model).falsePositiveRate(0.05).fit(calibration.features());
        assertEquals(400, fs.calibration().examples());
        double calibrated = Metrics.share(fs.flag(calibration.features()), null);
        assertTrue(calibrated <= 0.05, "on its own calibration data at most the target: " + calibrated);
        double heldOutRate = Metrics.share(fs.flag(heldOut.features()), null);
        // 400 held-out examples: a binomial standard deviation of about 1.1 points at 5%
        assertTrue(heldOutRate > 0.01 && heldOutRate < 0.10, "held-out false-positive rate " + heldOutRate);
    }

    @Test
    void flagsAdversarialExamplesFarMoreOftenThanCleanOnes() {
        FeatureSqueezing fs = FeatureSqueezing.builder(model).falsePositiveRate(0.05).fit(calibration.features());
        EvasionResult pgd = Pgd.builder(model).epsilon(0.05).steps(20).seed(2).build()
                .run(heldOut.features(), heldOut.labels());
        double detected = Metrics.share(fs.flag(pgd.adversarial()), pgd.success());
        double falsePositives = Metrics.share(fs.flag(heldOut.features()), null);
        assertTrue(detected > 0.3 && detected > 4 * falsePositives,
                "detection " + detected + " vs false positives " + falsePositives);
    }

    @Test
    void guardReportsPredictionsScoresAndFlags() {
        FeatureSqueezing fs = FeatureSqueezing.builder(model).fit(calibration.features());
        Guard guard = Guard.flagging(model, fs);
        INDArray x = heldOut.head(50).features();
        Guard.Decisions d = guard.decide(x);
        assertArrayEquals(model.predictClasses(x), d.classes());
        assertArrayEquals(fs.score(x), d.scores(), 1e-12);
        boolean[] flags = fs.flag(x);
        for (int i = 0; i < flags.length; i++) {
            assertEquals(flags[i], d.flagged()[i]);
        }
    }

    @Test
    void invalidSettingsAreRefusedByName() {
        assertMessage(() -> FeatureSqueezing.builder(model).falsePositiveRate(0), "falsePositiveRate");
        assertMessage(() -> FeatureSqueezing.builder(model).falsePositiveRate(1.2), "falsePositiveRate");
        assertMessage(() -> FeatureSqueezing.builder(model).squeezers(), "squeezers");
        assertMessage(() -> new BitDepthReduction(0, InputDomain.UNIT), "bits");
        assertMessage(() -> new BitDepthReduction(17, InputDomain.UNIT), "bits");
        assertMessage(() -> new MedianSmoothing(1), "window");
        assertMessage(() -> new MedianSmoothing(2).squeeze(Nd4j.rand(DataType.FLOAT, 2, 4)), "[2, 4]");
        assertMessage(() -> FeatureSqueezing.builder(model).falsePositiveRate(0.05).fit(calibration.head(10).features()),
                "at least 20");
        INDArray outside = calibration.head(40).features().dup();
        outside.putScalar(new long[] {0, 0, 0, 0}, 2.0);
        assertMessage(() -> FeatureSqueezing.builder(model).fit(outside), "domain");
    }


}
