package dev.rampart.benchmarks.federated;

import dev.rampart.attacks.federated.ByzantineAttacks;
import dev.rampart.attacks.federated.ModelReplacement;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.federated.Aggregator;
import dev.rampart.defenses.federated.Aggregators;
import dev.rampart.defenses.federated.ClientData;
import dev.rampart.defenses.federated.DpFedAvg;
import dev.rampart.defenses.federated.FedAvg;
import dev.rampart.defenses.federated.Federation;
import dev.rampart.defenses.federated.FlTrust;
import dev.rampart.defenses.federated.LocalTraining;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 26's figures on full Fashion-MNIST: the aggregator x attack table (final global accuracy,
 * and the backdoor's attack success) for IID and Dirichlet label-skewed clients, and DP-FedAvg's
 * accuracy at client-level epsilons.
 *
 * <p>Matrix: {@code --clients} clients (default 50) hold the training set less the server's 100-image
 * root set (FLTrust's; the other rules ignore it), {@code --malicious} (default 10, 20%) are
 * malicious, {@code --per-round} (default 10) are sampled each round, each trains the reference model
 * locally for one epoch. Norm bounding's bound is the median honest update norm of the clean FedAvg
 * run of the same split, so it is calibrated on clean data, not tuned per attack.
 *
 * <p>DP-FedAvg ({@code --dp 1,3,8}): {@code --dp-clients} clients, {@code --dp-per-round} per round,
 * the noise multiplier that spends exactly the target epsilon at delta 1e-5 over the rounds (RDP
 * accountant), clip norm the median honest norm of one clean round.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.federated.FederationFigures --splits iid,0.5 --rounds 20
 * java -cp ... dev.rampart.benchmarks.federated.FederationFigures --splits none --dp 1,3,8
 * </pre>
 */
@Command(name = "federation-figures", mixinStandardHelpOptions = true, description = "Federated learning under"
        + " attack on Fashion-MNIST.")
public final class FederationFigures implements Callable<Integer> {

    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--model", description = "reference model (default ${DEFAULT-VALUE})")
    String model = "mlp";
    @Option(names = "--splits", split = ",", description = "iid and/or Dirichlet alphas; none skips the matrix"
            + " (default ${DEFAULT-VALUE})")
    List<String> splits = List.of("iid", "0.5");
    @Option(names = "--aggregators", split = ",", description = "default ${DEFAULT-VALUE}")
    List<String> aggregators = List.of("fedavg", "median", "trimmed-mean", "krum", "multi-krum", "bulyan",
            "norm-bound", "fltrust");
    // sign-flip:10: the two malicious of ten outweigh the eight honest, so FedAvg ascends the loss.
    // alie:1: Baruch et al.'s z over all 50 clients with 10 malicious is 0.47; 1.0 is a stronger fixed shift
    @Option(names = "--attacks", split = ",", description = "none, backdoor, or ByzantineAttacks specs (default"
            + " ${DEFAULT-VALUE})")
    List<String> attacks = List.of("none", "sign-flip:10", "gaussian", "alie", "alie:1", "ipm",
            "backdoor");
    @Option(names = "--clients", description = "default ${DEFAULT-VALUE}")
    int clients = 50;
    @Option(names = "--malicious", description = "default ${DEFAULT-VALUE}")
    int malicious = 10;
    @Option(names = "--per-round", description = "default ${DEFAULT-VALUE}")
    int perRound = 10;
    @Option(names = "--rounds", description = "default ${DEFAULT-VALUE}")
    int rounds = 20;
    @Option(names = "--batch", description = "local batch size (default ${DEFAULT-VALUE})")
    int batch = 32;
    @Option(names = "--dp", split = ",", description = "client-level epsilons of DP-FedAvg runs (default: none)")
    List<Double> dpEpsilons = List.of();
    @Option(names = "--dp-clients", description = "default ${DEFAULT-VALUE}")
    int dpClients = 1000;
    @Option(names = "--dp-per-round", description = "default ${DEFAULT-VALUE}")
    int dpPerRound = 100;
    @Option(names = "--dp-rounds", description = "default ${DEFAULT-VALUE}")
    int dpRounds = 100;
    @Option(names = "--threads", description = "clients trained at once (default ${DEFAULT-VALUE}: one after the"
            + " other); with 2 or more, OMP_NUM_THREADS=1 keeps the cores from being shared twice")
    int threads = 1;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed = 1;

    private LabeledData test;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FederationFigures()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (String split : splits) {
            if (!split.equals("iid") && !split.equals("none") && !(parseAlpha(split) > 0)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--splits: each must be iid, none or a"
                        + " positive Dirichlet alpha, found '" + split + "'");
            }
        }
        try {
            // every name is checked before the hours of training, not when its turn comes
            aggregators.forEach(name -> aggregator(name, 1.0));
            attacks.stream().filter(a -> !a.equals("none") && !a.equals("backdoor")).forEach(ByzantineAttacks::parse);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        LabeledData all = FashionMnist.load(data, FashionMnist.Split.TRAIN, 0);
        test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        LabeledData root = all.head(100);
        LabeledData train = all.slice(100, all.size());
        for (String split : splits) {
            if (split.equals("none")) {
                continue;
            }
            List<LabeledData> parts = split.equals("iid") ? ClientData.iid(train, clients, seed)
                    : ClientData.dirichlet(train, clients, Double.parseDouble(split), seed);
            String label = split.equals("iid") ? "IID" : "Dirichlet " + split;
            say("## %s: %d clients (%d-%d images), %d malicious, %d per round, %d rounds, %s, 1 local epoch of batch %d",
                    label, clients, parts.stream().mapToInt(LabeledData::size).min().orElse(0),
                    parts.stream().mapToInt(LabeledData::size).max().orElse(0), malicious, perRound, rounds, model, batch);
            Federation.Report clean = run(parts, root, new FedAvg(), "none");
            double[] norms = clean.rounds().stream().mapToDouble(Federation.RoundFigures::meanHonestNorm).sorted().toArray();
            double bound = norms[norms.length / 2];
            say("clean FedAvg: accuracy %.4f; median honest update norm %.4f (norm-bound's bound)", clean.finalAccuracy(),
                    bound);
            StringBuilder header = new StringBuilder("| aggregator |");
            for (String a : attacks) {
                header.append(' ').append(a).append(" |");
            }
            say("%s", header);
            for (String name : aggregators) {
                StringBuilder row = new StringBuilder("| " + name + " |");
                for (String a : attacks) {
                    long t0 = System.nanoTime();
                    Federation.Report r = name.equals("fedavg") && a.equals("none") ? clean
                            : run(parts, root, aggregator(name, bound), a);
                    row.append(String.format(Locale.ROOT, " %.1f%%", 100 * r.finalAccuracy()));
                    if (a.equals("backdoor")) {
                        row.append(String.format(Locale.ROOT, " / %.1f%%", 100 * lastMean(r)));
                    }
                    row.append(" |");
                    say("  %s x %s: accuracy %.4f%s, kept per round %.1f (%.0f s)", name, a, r.finalAccuracy(),
                            a.equals("backdoor") ? String.format(Locale.ROOT, ", attack success %.4f (last 5 rounds'"
                                    + " mean %.4f)", r.finalAttackSuccess(), lastMean(r)) : "",
                            r.rounds().stream().mapToInt(f -> f.kept().length).average().orElse(0),
                            (System.nanoTime() - t0) / 1e9);
                }
                say("%s", row);
            }
        }
        if (!dpEpsilons.isEmpty()) {
            dp(train);
        }
        return 0;
    }

    private void dp(LabeledData train) {
        List<LabeledData> parts = ClientData.iid(train, dpClients, seed);
        double q = (double) dpPerRound / dpClients;
        MultiLayerNetworkModel probe = fresh();
        Federation.Report one = Federation.builder(probe, parts, LocalTraining.epochs(1, batch))
                .clientsPerRound(dpPerRound).rounds(1).seed(seed).build().run();
        double clip = one.rounds().get(0).meanHonestNorm();
        say("## DP-FedAvg: %d clients (%d images each), %d per round (q = %.3f), %d rounds, clip %.4f (one clean round's"
                + " mean honest norm), delta 1e-5", dpClients, parts.get(0).size(), dpPerRound, q, dpRounds, clip);
        say("| client-level epsilon | noise multiplier | accuracy | time |");
        List<Double> eps = new ArrayList<>(dpEpsilons);
        eps.add(Double.POSITIVE_INFINITY);
        for (double e : eps) {
            long t0 = System.nanoTime();
            double z = Double.isInfinite(e) ? 0
                    : RdpAccountant.noiseMultiplier(e, q, dpRounds, 1e-5, RdpAccountant.DEFAULT_ORDERS);
            Federation.Report r = Federation.builder(fresh(), parts, LocalTraining.epochs(1, batch))
                    .aggregator(new DpFedAvg(clip, z, dpPerRound, seed)).clientsPerRound(dpPerRound).rounds(dpRounds)
                    .evaluateOn(test).seed(seed).runner(runner()).build().run();
            say("| %s | %.3f | %.1f%% | %.0f s |", Double.isInfinite(e) ? "none (clip only)" : String.valueOf(e), z,
                    100 * r.finalAccuracy(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private Federation.Report run(List<LabeledData> parts, LabeledData root, Aggregator rule, String attack) {
        Federation.Builder<MultiLayerNetworkModel> b = Federation.builder(fresh(), parts, LocalTraining.epochs(1, batch))
                .aggregator(rule).clientsPerRound(perRound).rounds(rounds).evaluateOn(test).seed(seed).runner(runner())
                .serverRoot(rule instanceof FlTrust ? root : null);
        if (attack.equals("backdoor")) {
            BadNets badNets = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.5, seed);
            b.backdoor(malicious, new ModelReplacement(badNets.poison(parts.get(0)).data(), perRound),
                    badNets.attackTest(test));
        } else if (!attack.equals("none")) {
            b.malicious(malicious, ByzantineAttacks.parse(attack));
        }
        return b.build().run();
    }

    private static double parseAlpha(String s) {
        try {
            double a = Double.parseDouble(s);
            return Double.isFinite(a) ? a : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private Federation.ClientRunner runner() {
        return threads > 1 ? Federation.ClientRunner.threads(threads) : Federation.ClientRunner.LOCAL;
    }

    private MultiLayerNetworkModel fresh() {
        return MultiLayerNetworkModel.of(ReferenceModels.byName(model, seed), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
    }

    /** The expected number of malicious clients per round, rounded up: what krum and bulyan are told. */
    private int f() {
        return (int) Math.ceil((double) malicious * perRound / clients);
    }

    private Aggregator aggregator(String name, double bound) {
        // Bulyan needs n >= 4f + 3: with 10 per round it is told f = 1
        int tolerated = name.equals("bulyan") ? Math.min(f(), (perRound - 3) / 4) : f();
        return Aggregators.named(name, new Aggregators.Settings(perRound, tolerated, 0.2, bound, 0, seed));
    }

    private static double lastMean(Federation.Report r) {
        return r.rounds().subList(Math.max(0, r.rounds().size() - 5), r.rounds().size()).stream()
                .mapToDouble(Federation.RoundFigures::attackSuccess).average().orElse(Double.NaN);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
