package dev.rampart.benchmarks.privacy;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.RdpAccountant;
import dev.rampart.defenses.privacy.audit.PrivacyAudit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 27's audit figures: the epsilon an empirical one-run audit proves (Steinke, Nasr &amp;
 * Jagielski 2023) beside the accountant's, for DP-SGD at several epsilons, a run with a tenth of
 * the claimed noise, and a non-private run. An MLP (784-32-10, Adam 5e-3) on the bundled training
 * sample plus {@code --canaries} noise canaries, {@code --guesses} guesses, {@code --seeds} runs a
 * point. {@code --white-box} audits the DP-SGD runs with Dirac gradient canaries instead
 * ({@link PrivacyAudit#runGradient}; Nasr et al. 2023), and {@code --model tanh-cnn} trains the
 * tempered-sigmoid CNN (SGD, learning rate {@code --learning-rate}) in place of the MLP.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.privacy.PrivacyAuditFigures --epsilons 1,3,8 --seeds 3
 * java -cp ... dev.rampart.benchmarks.privacy.PrivacyAuditFigures --white-box --model tanh-cnn --batch 250
 * java -cp ... dev.rampart.benchmarks.privacy.PrivacyAuditFigures --model tanh-cnn --non-private-only
 * </pre>
 */
@Command(name = "privacy-audit-figures", mixinStandardHelpOptions = true,
        description = "Empirical epsilon lower bounds against the accountant's.")
public final class PrivacyAuditFigures implements Callable<Integer> {

    @Option(names = "--epsilons", split = ",", description = "default ${DEFAULT-VALUE}")
    List<Double> epsilons = List.of(1.0, 3.0, 8.0);
    @Option(names = "--train", description = "bundled training images (default ${DEFAULT-VALUE})")
    int trainSize = 2000;
    @Option(names = "--canaries", description = "default ${DEFAULT-VALUE}")
    int canaries = 1000;
    @Option(names = "--guesses", description = "default ${DEFAULT-VALUE}")
    int guesses = 200;
    @Option(names = "--epochs", description = "default ${DEFAULT-VALUE}")
    int epochs = 30;
    @Option(names = "--batch", description = "expected batch size (default ${DEFAULT-VALUE})")
    int batch = 100;
    @Option(names = "--seeds", description = "runs a point (default ${DEFAULT-VALUE})")
    int seeds = 3;
    @Option(names = "--white-box", description = "gradient canaries in DP-SGD's sums (no non-private row)")
    boolean whiteBox;
    @Option(names = "--model", description = "mlp (784-32-10, Adam) or tanh-cnn (SGD) (default ${DEFAULT-VALUE})")
    String model = "mlp";
    @Option(names = "--learning-rate", description = "tanh-cnn's SGD learning rate (default ${DEFAULT-VALUE})")
    double learningRate = 1;
    @Option(names = "--non-private-only", description = "only the non-private row (black box)")
    boolean nonPrivateOnly;
    @Option(names = "--canary-kind", description = "black box: noise or mislabeled (bundled test images with a"
            + " wrong label) (default ${DEFAULT-VALUE})")
    String canaryKind = "noise";

    public static void main(String[] args) {
        System.exit(new CommandLine(new PrivacyAuditFigures()).execute(args));
    }

    private MultiLayerNetworkModel fresh(long seed) {
        MultiLayerNetwork net = switch (model) {
            case "mlp" -> ReferenceModels.smallMlp(seed);
            case "tanh-cnn" -> ReferenceModels.tanhCnn(seed, new org.nd4j.linalg.learning.config.Sgd(learningRate));
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--model must be mlp or tanh-cnn, found " + model);
        };
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    /** DP-SGD on {@code train} with the sigma that spends {@code epsilon}, times {@code noiseScale}. */
    private DpSgd<MultiLayerNetworkModel> dpSgdRun(LabeledData train, double epsilon, double noiseScale, long seed) {
        double q = (double) batch / train.size();
        long steps = (long) epochs * (long) Math.ceil(train.size() / (double) batch);
        double sigma = RdpAccountant.noiseMultiplier(epsilon, q, steps, 1e-5, RdpAccountant.DEFAULT_ORDERS);
        return DpSgd.builder(fresh(seed)).clipNorm(1).noiseMultiplier(sigma * noiseScale).expectedBatchSize(batch)
                .epochs(epochs).delta(1e-5).seed(seed).build();
    }

    /** DP-SGD with the sigma that spends {@code epsilon}, times {@code noiseScale}; the spent epsilon goes to {@code upper}. */
    private TrainingRoutine dpSgd(double epsilon, double noiseScale, double[] upper) {
        return (data, seed) -> {
            DpSgd<MultiLayerNetworkModel> run = dpSgdRun(data, epsilon, noiseScale, seed);
            upper[0] = run.fit(data).epsilon();
            return run.model();
        };
    }

    private TrainingRoutine nonPrivate() {
        return (data, seed) -> {
            MultiLayerNetworkModel m = fresh(seed);
            ShuffledBatches b = new ShuffledBatches(data, batch, seed);
            for (int e = 0; e < epochs; e++) {
                b.reset();
                while (b.hasNext()) {
                    m.network().fit(b.next());
                }
            }
            return m;
        };
    }

    @Override
    public Integer call() throws Exception {
        LabeledData train = FashionMnist.bundledTrain().head(trainSize);
        System.out.printf(Locale.ROOT, "%s, %d bundled images, %d %s canaries, %d guesses, %d epochs, batch %d, 95%%"
                + " confidence, delta 1e-5%n| run | accountant epsilon | audit lower bounds (seeds 1..%d) | right guesses"
                + " | s per audit |%n", model, trainSize, canaries, whiteBox ? "gradient" : canaryKind, guesses, epochs, batch,
                seeds);
        if (nonPrivateOnly) {
            if (whiteBox) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--non-private-only has no white-box row: gradient canaries need DP-SGD's sums");
            }
            row("non-private", train, nonPrivate(), Double.POSITIVE_INFINITY);
            return 0;
        }
        for (double eps : epsilons) {
            if (whiteBox) {
                whiteBoxRow("DP-SGD, epsilon " + eps, train, eps, 1);
            } else {
                row("DP-SGD, epsilon " + eps, train, dpSgd(eps, 1, new double[1]), eps);
            }
        }
        if (whiteBox) {
            whiteBoxRow("DP-SGD claiming epsilon 1, a tenth of the noise", train, 1, 0.1);
        } else {
            row("DP-SGD claiming epsilon 1, a tenth of the noise", train, dpSgd(1, 0.1, new double[1]), 1);
            row("non-private", train, nonPrivate(), Double.POSITIVE_INFINITY);
        }
        return 0;
    }

    private void whiteBoxRow(String name, LabeledData train, double claimed, double noiseScale) {
        StringBuilder bounds = new StringBuilder();
        StringBuilder right = new StringBuilder();
        long start = System.nanoTime();
        for (int s = 1; s <= seeds; s++) {
            PrivacyAudit.GradientAudit g = PrivacyAudit.runGradient(dpSgdRun(train, claimed, noiseScale, s), train,
                    PrivacyAudit.Config.of(canaries, guesses).kind(PrivacyAudit.Canaries.GRADIENT).seed(s));
            bounds.append(s > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", g.audit().epsilonLowerBound()));
            right.append(s > 1 ? ", " : "").append(g.audit().correct());
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s of %d | %.0f |%n", name, claimed, bounds, right, guesses,
                (System.nanoTime() - start) / 1e9 / seeds);
        System.out.flush();
    }

    private void row(String name, LabeledData train, TrainingRoutine routine, double claimed) throws java.io.IOException {
        boolean mislabeled = switch (canaryKind) {
            case "noise" -> false;
            case "mislabeled" -> true;
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--canary-kind must be noise or mislabeled, found " + canaryKind);
        };
        StringBuilder bounds = new StringBuilder();
        StringBuilder right = new StringBuilder();
        long start = System.nanoTime();
        for (int s = 1; s <= seeds; s++) {
            PrivacyAudit.Result r = PrivacyAudit.run(routine, train, mislabeled ? FashionMnist.bundledTest() : null,
                    PrivacyAudit.Config.of(canaries, guesses).kind(mislabeled ? PrivacyAudit.Canaries.MISLABELED
                            : PrivacyAudit.Canaries.NOISE).seed(s));
            bounds.append(s > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", r.epsilonLowerBound()));
            right.append(s > 1 ? ", " : "").append(r.correct());
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s of %d | %.0f |%n", name, Double.isInfinite(claimed) ? "none"
                : String.valueOf(claimed), bounds, right, guesses, (System.nanoTime() - start) / 1e9 / seeds);
        System.out.flush();
    }
}
