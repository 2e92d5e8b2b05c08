package dev.rampart.defenses.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** SPECTRE judging each class against a trusted reference, through the poison-detector contract. */
class SpectreReferenceTest extends PoisonDetectorContract {

    private static LabeledData trusted() {
        try {
            return FashionMnist.bundledTrain().head(600);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return Spectre.builder(model).dimensions(4).reference(trusted()).build();
    }

    @Test
    void theExcessIsThePooledTwoProportionStatistic() {
        // 10% of 1,000 against 1% of 500: pooled share 0.07, standard error sqrt(0.07 * 0.93 * 0.003)
        assertEquals(0.09 / Math.sqrt(0.07 * 0.93 * 0.003), dev.rampart.core.metric.Metrics.excessZ(100, 1000, 5, 500), 1e-12);
        assertEquals(0, dev.rampart.core.metric.Metrics.excessZ(0, 1000, 0, 500), "no count anywhere: no evidence");
        assertTrue(dev.rampart.core.metric.Metrics.excessZ(5, 1000, 10, 500) < 0, "fewer above the cut than the reference");
        assertMessage(() -> dev.rampart.core.metric.Metrics.excessZ(11, 10, 0, 5), "found 11 of 10 and 0 of 5");
    }

    @Test
    void theConfigurationSaysHowManyTrustedExamplesJudge() {
        Spectre s = Spectre.builder(model).dimensions(4).reference(trusted()).falsePositiveRate(0.02).build();
        assertEquals(600, s.config().referenceExamples());
        assertEquals(0.02, s.config().falsePositiveRate());
        assertEquals(0, Spectre.builder(model).build().config().referenceExamples());
    }

    @Test
    void badReferencesAreNamed() {
        LabeledData few = trusted().head(100);
        int[][] byClass = Pca.byClass(few.labels(), 10);
        int first = 0;
        while (byClass[first].length >= Spectre.MIN_REFERENCE_PER_CLASS) {
            first++;
        }
        assertMessage(() -> Spectre.builder(model).reference(few).build(), "has " + byClass[first].length
                + " examples of class " + first + "; every class needs at least 20");
        LabeledData threeClasses = new LabeledData("three", data.features(), new int[data.size()], 3);
        assertMessage(() -> Spectre.builder(model).reference(threeClasses).build(), "has 3 classes but the model has 10");
        assertMessage(() -> Spectre.builder(model).reference(null), "reference");
        assertMessage(() -> Spectre.builder(model).falsePositiveRate(0.5).build(),
                "falsePositiveRate must be in (0, 0.5), found 0.5");
    }
}
