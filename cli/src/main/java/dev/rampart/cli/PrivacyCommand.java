package dev.rampart.cli;

import dev.rampart.defenses.privacy.RdpAccountant;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart privacy}: the privacy a DP-SGD run spends, by Rényi-DP accounting of the sampled
 * Gaussian mechanism ({@link RdpAccountant}), for sampling rate {@code B / N} and
 * {@code ceil(E N / B)} steps. Prints one line, {@code epsilon=<value> order=<best order>}; with
 * {@code --target-epsilon} instead of {@code --noise-multiplier}, the noise multiplier that reaches
 * it: {@code noise_multiplier=<value>}.
 *
 * <pre>
 * ./rampart privacy --dataset-size 60000 --batch-size 256 --noise-multiplier 1.1 --epochs 60 --delta 1e-5
 * ./rampart privacy --dataset-size 60000 --batch-size 256 --target-epsilon 3 --epochs 60 --delta 1e-5
 * </pre>
 *
 * <p>{@code rampart privacy audit} ({@link PrivacyAuditCommand}) checks a run empirically.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true, sortOptions = false, subcommands = PrivacyAuditCommand.class,
        description = {"Privacy spent by DP-SGD with Poisson sampling (RDP accountant), or the noise multiplier"
            + " for a target epsilon.", "Sampling rate B/N, ceil(E*N/B) steps; prints epsilon=<value> order=<order>"
                + " or noise_multiplier=<value>."})
public final class PrivacyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset-size", paramLabel = "N", description = "training examples")
    long datasetSize;
    @Option(names = "--batch-size", paramLabel = "B", description = "expected batch size (Poisson"
            + " sampling at rate B/N)")
    long batchSize;
    @Option(names = "--noise-multiplier", paramLabel = "S", description = "noise standard deviation over the clipping"
            + " norm")
    Double noiseMultiplier;
    @Option(names = "--target-epsilon", paramLabel = "X", description = "print the noise multiplier that reaches this"
            + " epsilon instead")
    Double targetEpsilon;
    @Option(names = "--epochs", paramLabel = "E", description = "passes over the data")
    double epochs;
    @Option(names = "--delta", paramLabel = "D", description = "delta, in (0, 1)")
    double delta;
    @Option(names = "--orders", split = ",", paramLabel = "A", description = "RDP orders (default: 1.1, 1.2, ..., 10.9,"
            + " 12, 13, ..., 63)")
    double[] orders;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() {
        List<String> p = new ArrayList<>();
        // not required by picocli, so that "privacy audit" needs none of them
        for (String o : new String[] {"--dataset-size", "--batch-size", "--epochs", "--delta"}) {
            if (!spec.commandLine().getParseResult().hasMatchedOption(o)) {
                p.add("Missing required option: " + o + " (or the subcommand: privacy audit)");
            }
        }
        if (!p.isEmpty()) {
            throw new UsageException(p);
        }
        if (datasetSize <= 0) {
            p.add("--dataset-size must be positive, found " + datasetSize);
        }
        if (batchSize <= 0) {
            p.add("--batch-size must be positive, found " + batchSize);
        } else if (datasetSize > 0 && batchSize > datasetSize) {
            p.add("--batch-size " + batchSize + " is above --dataset-size " + datasetSize + ": the sampling rate B/N must"
                    + " be in (0, 1]");
        }
        if (!(epochs > 0) || !Double.isFinite(epochs)) {
            p.add("--epochs must be positive, found " + epochs);
        }
        if (!(delta > 0 && delta < 1)) {
            p.add("--delta must be in (0, 1), found " + delta);
        }
        UsageException.noiseOrTarget(p, noiseMultiplier, targetEpsilon);
        double[] a = orders == null ? RdpAccountant.DEFAULT_ORDERS : orders;
        for (double o : a) {
            if (!(o > 1) || !(o <= RdpAccountant.MAX_ORDER)) {
                p.add("--orders must all be above 1 and at most " + (long) RdpAccountant.MAX_ORDER + ", found " + o);
            }
        }
        long steps = p.isEmpty() ? steps(p) : 0;
        if (!p.isEmpty()) {
            throw new UsageException(p);
        }
        double q = (double) batchSize / datasetSize;
        PrintWriter out = spec.commandLine().getOut();
        if (noiseMultiplier != null) {
            RdpAccountant.Spent s = RdpAccountant.epsilon(q, noiseMultiplier, steps, delta, a);
            if (!Double.isFinite(s.epsilon())) {
                throw new UsageException(List.of("--noise-multiplier " + noiseMultiplier + " gives a privacy loss beyond"
                        + " the largest double over " + steps + " steps: no finite epsilon can be stated (DP-SGD runs"
                        + " use noise multipliers of about 0.5 to 10)"));
            }
            out.println("epsilon=" + s.epsilon() + " order=" + plain(s.order()));
        } else {
            out.println("noise_multiplier=" + RdpAccountant.noiseMultiplier(targetEpsilon, q, steps, delta, a));
        }
        out.flush();
        return Rampart.OK;
    }

    /**
     * {@code ceil(epochs * N / B)}, computed exactly; adds a problem if it does not fit a long.
     */
    private long steps(List<String> p) {
        BigDecimal exact = new BigDecimal(epochs).multiply(BigDecimal.valueOf(datasetSize))
                .divide(BigDecimal.valueOf(batchSize), 0, java.math.RoundingMode.CEILING);
        if (exact.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            p.add("--epochs " + epochs + " gives " + String.format(java.util.Locale.ROOT, "%.4g", exact.doubleValue()) + " steps of " + batchSize + " of "
                    + datasetSize + " examples, more than the " + Long.MAX_VALUE + " an accountant counts");
            return 0;
        }
        return exact.longValueExact();
    }

    private static String plain(double v) {
        return Double.isNaN(v) ? "nan" : new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
}
