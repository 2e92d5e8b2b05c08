package dev.rampart.examples.poisoning;

import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.guard.Guard;
import dev.rampart.defenses.detection.Strip;
import java.io.IOException;
import java.util.Locale;

/**
 * A backdoor planted and caught at run time. BadNets (Gu et al. 2017) poisons 5% of the bundled
 * training images with a 4x4 checkerboard and the label "T-shirt/top"; the reference MLP trained
 * on them obeys the trigger. STRIP (Gao et al. 2019), calibrated on clean images for 5% false
 * positives, then guards the model: triggered inputs are flagged, clean ones mostly pass.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.poisoning.BackdoorAndStrip
 * </pre>
 */
public final class BackdoorAndStrip {

    /**
     * What the example measured.
     *
     * @param cleanAccuracy of the backdoored model on clean test images
     * @param attackSuccess share of triggered test images sent to the target class
     * @param flaggedTriggered share of triggered inputs STRIP flags
     * @param flaggedClean share of clean inputs STRIP flags
     */
    public record Result(double cleanAccuracy, double attackSuccess, double flaggedTriggered, double flaggedClean) {
    }

    private BackdoorAndStrip() {
    }

    /** The training routine: the reference MLP, Adam, {@code epochs} epochs of batch 64. */
    static TrainingRoutine mlp(int epochs) {
        return ReferenceModels.routine("mlp", epochs, 64);
    }

    /** Runs on {@code n} bundled training images, {@code epochs} epochs. */
    public static Result run(int n, int epochs) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(n);
        LabeledData test = FashionMnist.bundledTest();
        BadNets attack = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.05, 42);
        PoisonedData poisoned = attack.poison(train);
        LabeledData triggered = attack.attackTest(test.slice(1000, 2000));
        PoisoningEvaluation e = PoisoningEvaluation.train(mlp(epochs), poisoned, test.slice(1000, 2000), triggered, 1);
        Strip strip = Strip.builder(e.model()).overlays(train.features()).samples(50).falsePositiveRate(0.05).seed(1)
                .fit(test.slice(0, 500).features());
        Guard guard = Guard.flagging(e.model(), strip);
        double caught = Metrics.share(guard.decide(triggered.features()).flagged(), null);
        double falseAlarms = Metrics.share(guard.decide(test.slice(500, 1000).features()).flagged(), null);
        return new Result(e.cleanAccuracy(), e.attackSuccessRate(), caught, falseAlarms);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(FashionMnist.BUNDLED_TRAIN, 10);
        System.out.printf(Locale.ROOT, "backdoored MLP: clean accuracy %.1f%%, attack success %.1f%%%n",
                100 * r.cleanAccuracy(), 100 * r.attackSuccess());
        System.out.printf(Locale.ROOT, "STRIP guard: %.1f%% of triggered inputs flagged, %.1f%% of clean ones%n",
                100 * r.flaggedTriggered(), 100 * r.flaggedClean());
    }
}
