package dev.rampart.cli;

import dev.rampart.audit.source.DataSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.RdpAccountant;
import dev.rampart.defenses.privacy.audit.PrivacyAudit;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart privacy audit}: trains {@code --model} once with DP-SGD on the training data plus
 * canaries (each included with probability 1/2), guesses which were included from the trained
 * model's losses, and prints the epsilon the guesses prove ({@link PrivacyAudit}, Steinke, Nasr &amp;
 * Jagielski 2023) beside the accountant's: {@code epsilon_lower_bound=<v>} and
 * {@code epsilon_upper_bound=<v>}. A lower bound above the upper one means the run is not private
 * as claimed (exit 1).
 *
 * <pre>
 * ./rampart privacy audit --target-epsilon 1 --epochs 15 --batch-size 100 --canaries 600 --guesses 120
 * ./rampart privacy audit --target-epsilon 1 --canary-kind gradient --canaries 1000 --guesses 200
 * </pre>
 */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false, description = {"Audit a DP-SGD"
        + " run empirically: canaries in one training run, and the epsilon their membership proves.",
    "Prints epsilon_lower_bound=<v> and epsilon_upper_bound=<v> (the RDP accountant's); exit 1 if the lower is"
        + " above the upper."})
public final class PrivacyAuditCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin
    RecipeDataOptions in;
    @Option(names = "--clip", description = "per-example clip norm (default ${DEFAULT-VALUE})")
    double clip = 1.0;
    @Option(names = "--noise-multiplier", paramLabel = "S", description = "noise standard deviation over the clip norm")
    Double noiseMultiplier;
    @Option(names = "--target-epsilon", paramLabel = "X", description = "or: the noise multiplier that spends X")
    Double targetEpsilon;
    @Option(names = "--batch-size", description = "expected batch size (default ${DEFAULT-VALUE})")
    int batchSize = 100;
    @Option(names = "--epochs", description = "default ${DEFAULT-VALUE}")
    int epochs = 15;
    @Option(names = "--delta", description = "default ${DEFAULT-VALUE}")
    double delta = 1e-5;
    @Option(names = "--canaries", description = "default ${DEFAULT-VALUE}")
    int canaries = 600;
    @Option(names = "--guesses", description = "canaries guessed, half in and half out (default ${DEFAULT-VALUE})")
    int guesses = 120;
    @Option(names = "--canary-kind", description = "noise, mislabeled (black box: the final model) or gradient (white"
            + " box: Dirac gradients in DP-SGD's sums, read from every step; tighter) (default ${DEFAULT-VALUE})")
    String kind = "noise";
    @Option(names = "--confidence", description = "of the lower bound (default ${DEFAULT-VALUE})")
    double confidence = 0.95;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        UsageException.positive(p, "--clip", clip);
        UsageException.positive(p, "--batch-size", batchSize);
        UsageException.positive(p, "--epochs", epochs);
        UsageException.share(p, "--delta", delta);
        UsageException.share(p, "--confidence", confidence);
        UsageException.noiseOrTarget(p, noiseMultiplier, targetEpsilon);
        PrivacyAudit.Canaries canaryKind = switch (kind) {
            case "noise" -> PrivacyAudit.Canaries.NOISE;
            case "mislabeled" -> PrivacyAudit.Canaries.MISLABELED;
            case "gradient" -> PrivacyAudit.Canaries.GRADIENT;
            default -> {
                p.add("--canary-kind must be noise, mislabeled or gradient, found " + kind);
                yield PrivacyAudit.Canaries.NOISE;
            }
        };
        PrivacyAudit.Config config = null;
        try {
            config = new PrivacyAudit.Config(canaries, guesses, canaryKind, delta, confidence, seed);
        } catch (IllegalArgumentException e) {
            p.add("--" + e.getMessage());
        }
        Recipe recipe = null;
        try {
            recipe = Recipe.parse(in.model);
        } catch (java.io.IOException e) {
            p.add("--model " + e.getMessage());
        }
        DataSource.Spec trainSpec = PoisoningOptions.spec(in.data, in.format, DataSource.Split.TRAIN, "--data", p);
        DataSource.Spec testSpec = canaryKind == PrivacyAudit.Canaries.MISLABELED
                ? PoisoningOptions.testSpec(in.test, in.data, in.format, p) : null;
        if (!p.isEmpty()) {
            throw new UsageException(p);
        }
        DataSource.Loaded trainLoaded = DataSource.load(trainSpec, -1);
        LabeledData train = trainLoaded.data();
        LabeledData pool = null;
        if (canaryKind == PrivacyAudit.Canaries.MISLABELED) {
            if (testSpec == null) {
                throw new UsageException(List.of("--canary-kind mislabeled needs held-out data: give --test"));
            }
            DataSource.Loaded testLoaded = DataSource.load(testSpec, -1);
            pool = testLoaded.data();
            PoisoningOptions.checkAgainst(pool, train, testLoaded.source(), "--test");
        }
        if (batchSize > train.size()) {
            throw new UsageException(List.of("--batch-size " + batchSize + " is above the " + train.size()
                    + " training examples"));
        }
        Recipe r = recipe;
        double[] spent = new double[2];
        TrainingRoutine routine = (d, s) -> {
            GradientClassifier m = fresh(r, d, s);
            double sigma = sigma(d.size());
            spent[0] = sigma;
            if (m instanceof MultiLayerNetworkModel mln) {
                spent[1] = fit(mln, d, sigma, s);
            } else if (m instanceof ComputationGraphModel cg) {
                spent[1] = fit(cg, d, sigma, s);
            } else {
                throw new UsageException(List.of("--model " + in.model + " is not a DL4J network: DP-SGD needs one"));
            }
            return m;
        };
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "privacy audit: %s on %s, %d %s canaries (each trained on with probability 1/2), %d"
                + " guesses; DP-SGD clip %s, batch %d, %d epochs, delta %s%n", recipe.description(),
                trainLoaded.describe(), canaries, kind, guesses, clip, batchSize, epochs, delta);
        w.flush();
        PrivacyAudit.Result result;
        try {
            if (canaryKind == PrivacyAudit.Canaries.GRADIENT) {
                PrivacyAudit.GradientAudit g = gradientAudit(recipe, train, config);
                result = g.audit();
                spent[0] = g.training().config().noiseMultiplier();
                spent[1] = g.training().epsilon();
            } else {
                result = PrivacyAudit.run(routine, train, pool, config);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of(e.getMessage()));
        }
        w.printf(Locale.ROOT, "noise multiplier %.4f; %d of %d guesses right; %d canaries trained on%n", spent[0],
                result.correct(), result.guesses(), result.included());
        w.println("epsilon_lower_bound=" + result.epsilonLowerBound());
        w.println("epsilon_upper_bound=" + spent[1]);
        boolean broken = result.epsilonLowerBound() > spent[1];
        w.println(broken ? "NOT PRIVATE AS CLAIMED: the canaries prove more than the accountant allows"
                : "consistent: the canaries prove no more than the accountant allows (a lower bound is not a proof of"
                        + " privacy)");
        w.flush();
        return broken ? Rampart.GATE_FAILED : Rampart.OK;
    }

    private GradientClassifier fresh(Recipe r, LabeledData d, long seed) {
        try {
            return r.fresh(seed, d.exampleShape(), d.numClasses());
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of("--model " + e.getMessage()));
        }
    }

    /** The noise multiplier given, or the one that spends the target epsilon on {@code n} examples. */
    private double sigma(int n) {
        double q = (double) batchSize / n;
        long steps = (long) epochs * (long) Math.ceil(n / (double) batchSize);
        return noiseMultiplier != null ? noiseMultiplier
                : RdpAccountant.noiseMultiplier(targetEpsilon, q, steps, delta, RdpAccountant.DEFAULT_ORDERS);
    }

    /** The white-box audit: the canaries go into the DP-SGD run's sums, not into the data. */
    private PrivacyAudit.GradientAudit gradientAudit(Recipe r, LabeledData train, PrivacyAudit.Config config) {
        GradientClassifier m = fresh(r, train, config.seed());
        double sigma = sigma(train.size());
        if (m instanceof MultiLayerNetworkModel mln) {
            return PrivacyAudit.runGradient(dpSgd(mln, sigma, config.seed()), train, config);
        } else if (m instanceof ComputationGraphModel cg) {
            return PrivacyAudit.runGradient(dpSgd(cg, sigma, config.seed()), train, config);
        }
        throw new UsageException(List.of("--model " + in.model + " is not a DL4J network: DP-SGD needs one"));
    }

    private <M extends GradientClassifier & PerExampleGradients> DpSgd<M> dpSgd(M m, double sigma, long s) {
        try {
            return DpSgd.builder(m).clipNorm(clip).noiseMultiplier(sigma).expectedBatchSize(batchSize).epochs(epochs)
                    .delta(delta).seed(s).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of("--model " + in.model + ": " + e.getMessage()));
        }
    }

    private <M extends GradientClassifier & PerExampleGradients> double fit(M m, LabeledData d, double sigma, long s) {
        try {
            return dpSgd(m, sigma, s).fit(d).epsilon();
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of("--model " + in.model + ": " + e.getMessage()));
        }
    }
}
