package dev.rampart.examples.privacy;

import dev.rampart.attacks.inference.Lira;
import dev.rampart.attacks.inference.Candidates;
import dev.rampart.attacks.inference.LossThresholdAttack;
import dev.rampart.attacks.inference.MembershipEvaluation;
import dev.rampart.attacks.inference.ModelInversion;
import dev.rampart.attacks.inference.ShadowModels;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.report.Images;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * How much a model leaks about its training data. A small MLP is trained on {@code n} bundled
 * training images (the members; the next {@code n} are non-members); shadow models trained by the
 * same routine on random halves of all {@code 2n} candidates let LiRA (Carlini et al. 2022) score
 * every candidate, and the loss-threshold attack (Yeom et al. 2018) gives the baseline. Then
 * MI-Face (Fredrikson et al. 2015) inverts the bundled CNN's "Trouser" class into a PNG.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.privacy.MeasureLeakage
 * </pre>
 */
public final class MeasureLeakage {

    /**
     * What the example measured.
     *
     * @param lira online LiRA's evaluation
     * @param lossThreshold the loss-threshold attack's evaluation
     * @param inversionConfidence the bundled CNN's confidence on the inverted "Trouser"
     */
    public record Result(MembershipEvaluation lira, MembershipEvaluation lossThreshold, double inversionConfidence) {
    }

    private MeasureLeakage() {
    }

    /** The user's training routine: the one the target went through, reused for every shadow. */
    static Classifier train(LabeledData data, long seed, int epochs) {
        MultiLayerNetwork net = ReferenceModels.mlp(seed);
        ShuffledBatches batches = new ShuffledBatches(data, 50, seed);
        for (int e = 0; e < epochs; e++) {
            batches.reset();
            while (batches.hasNext()) {
                net.fit(batches.next());
            }
        }
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    /** Runs with {@code n} members and {@code shadows} shadow models; writes the inversion to {@code png}. */
    public static Result run(int n, int shadows, int epochs, Path png) throws IOException {
        LabeledData candidates = FashionMnist.bundledTrain().head(2 * n);
        TrainingRoutine routine = (data, seed) -> train(data, seed, epochs);
        Classifier target = routine.train(candidates.slice(0, n), 1);
        boolean[] isMember = new boolean[2 * n];
        int[] idx = new int[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            isMember[i] = i < n;
            idx[i] = i;
        }
        ShadowModels shadowModels = ShadowModels.train(candidates, routine, shadows, 2, null);
        MembershipEvaluation lira = MembershipEvaluation.of(Lira.online(shadowModels).score(target,
                Candidates.of(shadowModels, idx)), isMember);
        MembershipEvaluation loss = MembershipEvaluation.of(
                LossThresholdAttack.fromShadows(shadowModels).score(target, Candidates.of(candidates)), isMember);
        ModelInversion.Result inv = ModelInversion.whiteBox(BundledModels.referenceCnn()).invert(new int[] {1});
        Images.writePng(inv.inversions().get(0).image(), 0, 1, png);
        return new Result(lira, loss, inv.inversions().get(0).confidence());
    }

    public static void main(String[] args) throws IOException {
        Path png = Path.of("reports/inversion-trouser.png");
        Result r = run(500, 8, 30, png);
        for (MembershipEvaluation e : new MembershipEvaluation[] {r.lira(), r.lossThreshold()}) {
            System.out.printf(Locale.ROOT, "%-15s AUC %.3f  advantage %.3f  TPR %.1f%% at 1%% FPR%n", e.attack(), e.auc(),
                    e.advantage(), 100 * e.tprAt1Percent());
        }
        System.out.printf(Locale.ROOT, "MI-Face: the CNN is %.1f%% sure the image in %s is a trouser%n",
                100 * r.inversionConfidence(), png);
    }
}
