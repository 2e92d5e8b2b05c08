package dev.rampart.defenses.detection;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What every adversarial-input detector must satisfy, on the trained test CNN: one finite score
 * per example, flags that are the scores above the threshold, at most {@code floor(n x rate)} of
 * its own clean calibration examples flagged, the configuration and calibration it was built with,
 * the same threshold and scores twice, scores that do not depend on the batch, on views or on
 * memory order, inputs untouched, and too little clean data named. A detector's test supplies
 * {@link #fit}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DetectorContract {

    private static Classifier model;
    private static LabeledData clean;
    private static LabeledData incoming;
    private static LabeledData spare;

    /** Clean images the detector may use besides its calibration data (such as STRIP's overlays). */
    protected static INDArray spare() {
        return spare.features();
    }

    /** The detector under test, fitted on {@code clean} for {@code falsePositiveRate}. */
    protected abstract Detector fit(Classifier model, INDArray clean, double falsePositiveRate);

    @BeforeAll
    void fixture() {
        synchronized (DetectorContract.class) {
            if (model == null) {
                try {
                    model = Fixtures.trainedCnn();
                    LabeledData test = FashionMnist.bundledTest();
                    clean = test.slice(0, 100);
                    incoming = test.slice(500, 540);
                    spare = test.slice(200, 300);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    @Test
    void scoresFlagsAndCalibration() {
        Detector d = fit(model, clean.features(), 0.1);
        double[] s = d.score(incoming.features());
        assertEquals(40, s.length);
        boolean[] flags = d.flag(incoming.features());
        for (int i = 0; i < s.length; i++) {
            assertTrue(Double.isFinite(s[i]), "score " + i + ": " + s[i]);
            assertEquals(s[i] > d.threshold(), flags[i], "example " + i);
        }
        assertArrayEquals(flags, d.flag(s));
        int flaggedClean = 0;
        for (boolean f : d.flag(clean.features())) {
            flaggedClean += f ? 1 : 0;
        }
        assertTrue(flaggedClean <= 10, flaggedClean + " of 100 clean calibration examples flagged at a rate of 0.1");
        assertEquals(100, d.calibration().examples());
        assertEquals(0.1, d.calibration().targetFalsePositiveRate());
        assertEquals(0.1, d.config().falsePositiveRate());
        assertEquals(d.threshold(), d.calibration().threshold());
        assertTrue(!d.name().isBlank());
    }

    @Test
    void theSameThresholdAndScoresTwiceAndInputsUntouched() {
        INDArray c = clean.features().dup();
        INDArray x = incoming.features().dup();
        Detector a = fit(model, c, 0.1);
        Detector b = fit(model, c, 0.1);
        assertEquals(a.threshold(), b.threshold());
        assertEquals(a.config(), b.config());
        assertArrayEquals(a.score(x), b.score(x), 0);
        assertEquals(clean.features(), c, "the clean data is not modified");
        assertEquals(incoming.features(), x, "the scored inputs are not modified");
    }

    @Test
    void scoresDoNotDependOnTheBatchOnViewsOrOnMemoryOrder() {
        Detector d = fit(model, clean.features(), 0.1);
        INDArray x = incoming.features();
        double[] whole = d.score(x);
        for (int i = 0; i < 40; i += 13) {
            assertEquals(whole[i], d.score(x.get(NDArrayIndex.interval(i, i + 1)))[0], 1e-5, "example " + i + " alone");
        }
        INDArray wide = Nd4j.concat(0, x, x);
        assertArrayEquals(whole, d.score(wide.get(NDArrayIndex.interval(40, 80))), 1e-5, "a view");
        assertArrayEquals(whole, d.score(x.dup('f')), 1e-5, "Fortran order");
    }

    @Test
    void tooLittleCleanDataIsNamed() {
        assertMessage(() -> fit(model, clean.head(5).features(), 0.05), "needs at least 20");
    }
}
