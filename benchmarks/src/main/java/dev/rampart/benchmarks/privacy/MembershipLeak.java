package dev.rampart.benchmarks.privacy;

import dev.rampart.attacks.inference.Lira;
import dev.rampart.attacks.inference.Candidates;
import dev.rampart.attacks.inference.LossThresholdAttack;
import dev.rampart.attacks.inference.MembershipEvaluation;
import dev.rampart.attacks.inference.MembershipScores;
import dev.rampart.attacks.inference.ShadowModelAttack;
import dev.rampart.attacks.inference.ShadowModels;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.NoiseSource;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Membership inference against a deliberately overfit model and against the same network trained
 * with DP-SGD: the reference MLP on {@code --train} Fashion-MNIST training images (the members),
 * non-members the next {@code --train} images. Every attack is run on both targets, with shadow
 * models trained by the target's own routine:
 *
 * <ul>
 *   <li>online shadows on random halves of the candidates (members and non-members), for online
 *       LiRA;</li>
 *   <li>offline shadows on random halves of a disjoint pool of {@code 2 x --train} further images,
 *       for the loss threshold (its threshold from the shadows), the shadow-model attack and offline
 *       LiRA.</li>
 * </ul>
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.privacy.MembershipLeak --train 1000 --shadows 16
 * </pre>
 */
@Command(name = "membership-leak", mixinStandardHelpOptions = true,
        description = "Membership inference against an overfit and a DP-SGD model.")
public final class MembershipLeak implements Callable<Integer> {

    @Option(names = "--train", description = "target training images (default ${DEFAULT-VALUE})")
    int train = 1000;
    @Option(names = "--shadows", description = "shadow models of each kind (default ${DEFAULT-VALUE})")
    int shadows = 16;
    @Option(names = "--epochs", description = "standard training epochs (default ${DEFAULT-VALUE})")
    int epochs = 60;
    @Option(names = "--dp-epochs", description = "DP-SGD epochs (default ${DEFAULT-VALUE})")
    int dpEpochs = 30;
    @Option(names = "--dp-epsilon", description = "DP-SGD target epsilon at delta 1e-5 (default ${DEFAULT-VALUE})")
    double dpEpsilon = 3;
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);

    private static final int BATCH = 100;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MembershipLeak()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabeledData all = FashionMnist.load(data, FashionMnist.Split.TRAIN, 4 * train);
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 2000);
        LabeledData candidates = all.slice(0, 2 * train);
        LabeledData members = all.slice(0, train);
        boolean[] isMember = new boolean[2 * train];
        int[] candidateIdx = new int[2 * train];
        int[] offlineIdx = new int[2 * train];
        for (int i = 0; i < 2 * train; i++) {
            isMember[i] = i < train;
            candidateIdx[i] = i;
            offlineIdx[i] = i;
        }
        double sigma = RdpAccountant.noiseMultiplier(dpEpsilon, (double) BATCH / train,
                (long) dpEpochs * (long) Math.ceil((double) train / BATCH), 1e-5, RdpAccountant.DEFAULT_ORDERS);
        System.out.printf(Locale.ROOT, "%d members, %d non-members, %d shadows of each kind; DP-SGD sigma %.3f for"
                + " epsilon %.1f%n", train, train, shadows, sigma, dpEpsilon);
        TrainingRoutine standard = (d, seed) -> standard(d, seed, epochs);
        TrainingRoutine dp = (d, seed) -> dp(d, seed, sigma, dpEpochs);
        List<String> rows = new ArrayList<>();
        for (String kind : List.of("standard", "dp-sgd")) {
            TrainingRoutine routine = kind.equals("standard") ? standard : dp;
            long t0 = System.nanoTime();
            Classifier target = routine.train(members, 1);
            double trainAcc = Metrics.accuracy(target.predictClasses(members.features()), members.labels());
            double testAcc = Metrics.accuracy(target.predictClasses(test.features()), test.labels());
            ShadowModels online = ShadowModels.train(candidates, routine, shadows, 2, null);
            LabeledData pool = concat(candidates, all.slice(2 * train, 4 * train));
            ShadowModels offline = ShadowModels.train(pool, routine, shadows, 3, offlineIdx);
            System.out.printf(Locale.ROOT, "%s target: train accuracy %.3f, test accuracy %.3f; target and %d shadows"
                    + " trained in %.0f s%n", kind, trainAcc, testAcc, 2 * shadows, (System.nanoTime() - t0) / 1e9);
            List<MembershipScores> scores = List.of(
                    LossThresholdAttack.fromShadows(offline).score(target, Candidates.of(candidates)),
                    ShadowModelAttack.fit(offline).score(target, Candidates.of(candidates)),
                    Lira.offline(offline).score(target, Candidates.of(offline, offlineIdx)),
                    Lira.online(online).score(target, Candidates.of(online, candidateIdx)));
            for (MembershipScores s : scores) {
                MembershipEvaluation e = MembershipEvaluation.of(s, isMember);
                String row = String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.2f%% | %.2f%% |", kind,
                        e.attack(), e.auc(), e.balancedAccuracy(), e.advantage(), 100 * e.tprAt01Percent(),
                        100 * e.tprAt1Percent());
                rows.add(row);
                System.out.println(row);
            }
        }
        System.out.println("| target | attack | AUC | balanced accuracy | advantage | TPR at 0.1% FPR | TPR at 1% FPR |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        return 0;
    }

    static Classifier standard(LabeledData d, long seed, int epochs) {
        MultiLayerNetwork net = ReferenceModels.mlp(seed);
        ShuffledBatches batches = new ShuffledBatches(d, BATCH, seed);
        for (int e = 0; e < epochs; e++) {
            batches.reset();
            while (batches.hasNext()) {
                net.fit(batches.next());
            }
        }
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    static Classifier dp(LabeledData d, long seed, double sigma, int epochs) {
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(ReferenceModels.mlp(seed), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        DpSgd.builder(model).clipNorm(1).noiseMultiplier(sigma).expectedBatchSize(Math.min(BATCH, d.size()))
                .epochs(epochs).delta(1e-5).seed(seed).noise(NoiseSource.seeded(seed)).build().fit(d);
        return model;
    }

    private static LabeledData concat(LabeledData a, LabeledData b) {
        int[] la = a.labels();
        int[] lb = b.labels();
        int[] l = java.util.Arrays.copyOf(la, la.length + lb.length);
        System.arraycopy(lb, 0, l, la.length, lb.length);
        return new LabeledData(a.name() + "+" + b.name(), org.nd4j.linalg.factory.Nd4j.concat(0, a.features(),
                b.features()), l, a.numClasses());
    }
}
