package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rampart.core.model.ActivationModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trusted contrast on a model's representations, through the poison-detector contract. Its
 * finding on a planted backdoor is in {@link PoisonDetectorsTest}.
 */
class RepresentationContrastTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return TrustedContrast.builder(trusted(400)).representations(model, null).seed(seed).build();
    }

    @Test
    void precomputedRepresentationsGiveTheSameScores() {
        TrustedContrast d = (TrustedContrast) make(model, 3);
        assertEquals("representation contrast", d.name());
        assertEquals(Representations.lastHidden(model), d.config().layer());
        assertEquals(0.0, d.config().stdFloor(), "no floor on activations by default");
        INDArray reps = Representations.of(model, d.config().layer(), data.features());
        ReferenceScores given = d.referenceScores(data, reps);
        ReferenceScores direct = d.referenceScores(data);
        for (int c = 0; c < direct.classes().size(); c++) {
            assertArrayEquals(direct.classes().get(c).train(), given.classes().get(c).train(), 0);
            assertArrayEquals(direct.classes().get(c).trusted(), given.classes().get(c).trusted(), 0);
        }
    }

    @Test
    void representationsThatDoNotFitAreRefusedByName() {
        TrustedContrast d = (TrustedContrast) make(model, 3);
        long width = Representations.of(model, d.config().layer(), data.features().get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2))).size(1);
        assertMessage(() -> d.referenceScores(data, Nd4j.zeros(N, width + 1)), "representations must be [" + N + ", "
                + width + "] (one row per example of the data, as wide as layer " + d.config().layer() + "), found ["
                + N + ", " + (width + 1) + "]");
        assertMessage(() -> d.referenceScores(data, Nd4j.zeros(N - 1, width)), "found [" + (N - 1) + ", " + width + "]");
        assertMessage(() -> d.referenceScores(data, null), "found null");
        INDArray nan = Nd4j.zeros(N, width);
        nan.putScalar(5, 0, Double.NaN);
        assertMessage(() -> d.referenceScores(data, nan), "representations");
        assertMessage(() -> TrustedContrast.builder(trusted(400)).representations(null, null), "model");
        assertMessage(() -> TrustedContrast.builder(trusted(400)).representations(model, "nope").build(), "nope");
        TrustedContrast onInput = TrustedContrast.builder(trusted(400)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> onInput.referenceScores(data,
                Nd4j.zeros(N, width)));
        assertEquals("this trusted contrast was built on the input, not on representations", e.getMessage());
    }
}
