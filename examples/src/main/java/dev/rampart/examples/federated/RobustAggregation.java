package dev.rampart.examples.federated;

import dev.rampart.attacks.federated.ModelReplacement;
import dev.rampart.attacks.federated.SignFlipping;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.federated.Aggregator;
import dev.rampart.defenses.federated.ClientData;
import dev.rampart.defenses.federated.CoordinateMedian;
import dev.rampart.defenses.federated.FedAvg;
import dev.rampart.defenses.federated.Federation;
import dev.rampart.defenses.federated.LocalTraining;
import dev.rampart.defenses.federated.NormBounding;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Federated learning under attack on the bundled sample: 20 clients train the reference MLP, 4 of
 * them malicious. Sign-flipping clients (Li et al. 2019) take plain FedAvg (McMahan et al. 2017)
 * off course while the coordinate-wise median (Yin et al. 2018) learns on; a model-replacement
 * backdoor (Bagdasaryan et al. 2020) wins against FedAvg and is damped by norm bounding (Sun et al.
 * 2019), whose bound is the honest clients' median update norm measured in a clean run.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.federated.RobustAggregation
 * </pre>
 */
public final class RobustAggregation {

    /**
     * What the example measured: final global accuracies and the backdoor's attack success (mean of
     * the last three rounds).
     *
     * @param clean FedAvg without attackers
     * @param fedAvgSignFlip FedAvg against sign flipping
     * @param medianSignFlip the median against sign flipping
     * @param fedAvgBackdoor FedAvg's attack success against model replacement
     * @param boundedBackdoor norm bounding's attack success against model replacement
     * @param bound norm bounding's bound
     */
    public record Result(double clean, double fedAvgSignFlip, double medianSignFlip, double fedAvgBackdoor,
            double boundedBackdoor, double bound) {
    }

    private RobustAggregation() {
    }

    /** Runs every federation for {@code rounds} rounds on the bundled training sample. */
    public static Result run(int rounds) throws IOException {
        LabeledData train = FashionMnist.bundledTrain();
        LabeledData test = FashionMnist.bundledTest().head(500);
        List<LabeledData> clients = ClientData.iid(train, 20, 1);
        Federation.Report clean = federation(clients, test, new FedAvg(), rounds).build().run();
        double[] norms = clean.rounds().stream().mapToDouble(Federation.RoundFigures::meanHonestNorm).sorted().toArray();
        double bound = norms[norms.length / 2];
        double fedAvgFlip = federation(clients, test, new FedAvg(), rounds).malicious(4, new SignFlipping(10)).build()
                .run().finalAccuracy();
        double medianFlip = federation(clients, test, new CoordinateMedian(), rounds).malicious(4, new SignFlipping(10))
                .build().run().finalAccuracy();
        BadNets badNets = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.5, 1);
        ModelReplacement replace = new ModelReplacement(badNets.poison(clients.get(0)).data(), 8);
        LabeledData triggered = badNets.attackTest(test);
        double fedAvgBackdoor = lastRounds(federation(clients, test, new FedAvg(), rounds)
                .backdoor(4, replace, triggered).build().run());
        double boundedBackdoor = lastRounds(federation(clients, test, new NormBounding(bound, 0, 1), rounds)
                .backdoor(4, replace, triggered).build().run());
        return new Result(clean.finalAccuracy(), fedAvgFlip, medianFlip, fedAvgBackdoor, boundedBackdoor, bound);
    }

    private static Federation.Builder<MultiLayerNetworkModel> federation(List<LabeledData> clients, LabeledData test,
            Aggregator rule, int rounds) {
        MultiLayerNetworkModel global = MultiLayerNetworkModel.of(ReferenceModels.mlp(3), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        return Federation.builder(global, clients, LocalTraining.epochs(1, 32)).aggregator(rule).clientsPerRound(6)
                .rounds(rounds).evaluateOn(test).seed(2);
    }

    private static double lastRounds(Federation.Report r) {
        return r.rounds().subList(Math.max(0, r.rounds().size() - 3), r.rounds().size()).stream()
                .mapToDouble(Federation.RoundFigures::attackSuccess).average().orElse(Double.NaN);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(4);
        System.out.printf(Locale.ROOT, "FedAvg, no attack:                 accuracy %.3f%n", r.clean());
        System.out.printf(Locale.ROOT, "FedAvg against sign flipping:      accuracy %.3f%n", r.fedAvgSignFlip());
        System.out.printf(Locale.ROOT, "median against sign flipping:      accuracy %.3f%n", r.medianSignFlip());
        System.out.printf(Locale.ROOT, "FedAvg against model replacement:  attack success %.3f%n", r.fedAvgBackdoor());
        System.out.printf(Locale.ROOT, "norm bound %.3f, same attack:      attack success %.3f%n", r.bound(),
                r.boundedBackdoor());
    }
}
