package dev.rampart.examples.poisoning;

import dev.rampart.attacks.poisoning.CleanLabelBackdoor;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.TrustedContrast;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Clean-label poison found by comparing each class with trusted images. SIG (Barni et al. 2019)
 * adds a faint horizontal sinusoid to half of the bundled sample's dresses and leaves every label
 * right, so no label check can see it; the trusted contrast (a classifier two-sample test,
 * Lopez-Paz &amp; Oquab 2017) fits, per class, a classifier that tells the training images from
 * 1,000 trusted test images, judges the dresses poisoned and flags the signal's carriers. On the
 * unpoisoned set it judges no class.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.poisoning.CleanLabelPoisonFound
 * </pre>
 */
public final class CleanLabelPoisonFound {

    /**
     * What the example measured.
     *
     * @param judged the classes judged poisoned in the SIG-poisoned set
     * @param score the flags against the truth
     * @param controlFlagged examples flagged in the unpoisoned set
     */
    public record Result(List<Integer> judged, PoisonReport.Score score, int controlFlagged) {
    }

    private CleanLabelPoisonFound() {
    }

    /** SIG on {@code rate} of the bundled training set, all of it on class {@code target}. */
    public static Result run(int target, double rate) throws IOException {
        LabeledData train = FashionMnist.bundledTrain();
        LabeledData trusted = FashionMnist.bundledTest().slice(1000, 2000);
        CleanLabelBackdoor sig = CleanLabelBackdoor.sig(Trigger.signal(0.08, 6), Trigger.signal(0.12, 6), target,
                rate, 7);
        PoisonedData poisoned = sig.poison(train);
        TrustedContrast contrast = TrustedContrast.builder(trusted).seed(1).build();
        PoisonReport r = contrast.detect(poisoned.data());
        List<Integer> judged = r.classes().stream().filter(PoisonReport.ClassSummary::suspicious)
                .map(PoisonReport.ClassSummary::label).toList();
        return new Result(judged, r.against(poisoned.poisonedMask()), contrast.detect(train).flaggedCount());
    }

    public static void main(String[] args) throws IOException {
        Result r = run(3, 0.05);
        System.out.printf(Locale.ROOT, "SIG on half of the dresses: classes judged poisoned %s; %d flagged, recall %.3f,"
                + " precision %.3f%n", r.judged(), r.score().flagged(), r.score().recall(), r.score().precision());
        System.out.printf(Locale.ROOT, "unpoisoned set: %d flagged%n", r.controlFlagged());
    }
}
