package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rampart.core.model.ActivationModel;
import org.junit.jupiter.api.Test;

/** SPECTRE through the poison-detector contract. */
class SpectreTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return Spectre.builder(model).dimensions(4).build();
    }

    @Test
    void otsuSplitsTwoGroupsBetweenThem() {
        double[] tau = new double[100];
        for (int i = 0; i < 100; i++) {
            tau[i] = i < 90 ? 1 + 0.01 * i : 50 + i;
        }
        double cut = Spectre.otsu(tau);
        assertEquals(1.89, cut, 1e-9, "the largest value of the low group");
    }

    @Test
    void badValuesAreNamed() {
        assertMessage(() -> Spectre.builder(model).trim(0.7).build(), "trim must be in (0, 0.5], found 0.7");
        assertMessage(() -> Spectre.builder(model).dimensions(0).build(), "dimensions");
        assertMessage(() -> Spectre.builder(model).alpha(Double.NaN).build(), "alpha");
        assertMessage(() -> Spectre.builder(model).layer("nope").build(), "layer 'nope' is not one of");
    }
}
