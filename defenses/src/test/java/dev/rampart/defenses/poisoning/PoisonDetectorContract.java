package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
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
 * What every poison detector must satisfy, on the bundled trained CNN and 400 bundled images: a
 * flag and a finite score per example, per-class counts that add up, the data untouched, the same
 * report for the same seed, the same report from precomputed representations, views taken, the
 * configuration and provenance in the report, and data of another class count refused by name.
 * A detector's test supplies {@link #make}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PoisonDetectorContract {

    /** Examples the contract scans. */
    protected static final int N = 400;

    protected MultiLayerNetworkModel model;
    protected LabeledData data;

    /** {@code n} trusted images: bundled test images from the 1,000th on, apart from the contract's. */
    protected static LabeledData trusted(int n) {
        try {
            return FashionMnist.bundledTest().slice(1000, 1000 + n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The detector under test on {@code model}, with seed {@code seed}. */
    protected abstract PoisonDetector make(ActivationModel model, long seed);

    @BeforeAll
    void load() {
        model = Fixtures.trainedCnn();
        data = Fixtures.testSample(N);
    }

    @Test
    void aFlagAndAFiniteScorePerExampleAndTheDataUntouched() {
        INDArray before = data.features().dup();
        PoisonDetector d = make(model, 3);
        PoisonReport r = d.detect(data);
        assertEquals(before, data.features(), "the data is not modified");
        assertEquals(N, r.flagged().length);
        assertEquals(N, r.scores().length);
        for (double s : r.scores()) {
            assertTrue(Double.isFinite(s));
        }
        assertEquals(data.numClasses(), r.classes().size());
        int flagged = 0;
        int examples = 0;
        for (PoisonReport.ClassSummary c : r.classes()) {
            flagged += c.flagged();
            examples += c.examples();
        }
        assertEquals(r.flaggedCount(), flagged, "per-class flags add up");
        assertEquals(N, examples);
        assertEquals(d.config(), r.config(), "the report carries the configuration");
        assertEquals(d.name(), r.detector());
        assertEquals("1.0.0-M2.1", r.provenance().nd4jVersion());
    }

    @Test
    void theSameSeedGivesTheSameReport() {
        PoisonReport a = make(model, 3).detect(data);
        PoisonReport b = make(model, 3).detect(data);
        assertArrayEquals(a.flagged(), b.flagged());
        assertArrayEquals(a.scores(), b.scores(), 0);
    }

    @Test
    void precomputedRepresentationsGiveTheSameReport() {
        if (!(make(model, 3) instanceof RepresentationDetector d)) {
            return; // the detector does not work on a layer's representations
        }
        PoisonReport direct = d.detect(data);
        PoisonReport given = d.detect(data, Representations.of(model, d.layer(), data.features()));
        assertArrayEquals(direct.flagged(), given.flagged());
        assertArrayEquals(direct.scores(), given.scores(), 0);
    }

    @Test
    void dataOnAViewIsTaken() {
        INDArray big = Nd4j.concat(0, data.features(), data.features());
        LabeledData view = new LabeledData("view", big.get(NDArrayIndex.interval(N, 2 * N)), data.labels(),
                data.numClasses());
        assertArrayEquals(make(model, 3).detect(data).flagged(), make(model, 3).detect(view).flagged());
    }

    @Test
    void dataThatDoesNotFitTheModelIsRefusedByName() {
        PoisonDetector d = make(model, 3);
        assertMessage(() -> d.detect(null), "must not be null");
        int[] y = new int[60];
        LabeledData three = new LabeledData("three", Fixtures.testSample(60).features(), y, 3);
        assertMessage(() -> d.detect(three), "has 3 classes but the model has 10");
    }
}
