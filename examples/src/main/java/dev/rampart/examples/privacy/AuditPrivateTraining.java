package dev.rampart.examples.privacy;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.NoiseSource;
import dev.rampart.defenses.privacy.RdpAccountant;
import dev.rampart.defenses.privacy.audit.PrivacyAudit;
import java.io.IOException;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Is this DP-SGD run private? An empirical audit (Steinke, Nasr &amp; Jagielski, NeurIPS 2023) of two
 * runs that both claim epsilon 1: a correct one, and one with a bug that adds a tenth of the noise.
 * Each trains once on 1,000 bundled images plus 600 noise canaries (each included with probability
 * 1/2); the canaries' losses give membership guesses, and the guesses a lower bound on epsilon. The
 * buggy run's bound exceeds its claim; the correct run's does not.
 *
 * <p>Then the same two runs audited white-box (Nasr et al., USENIX Security 2023): 1,000 Dirac
 * gradient canaries go into DP-SGD's clipped sums and are scored from every step's released sum.
 * The bounds are far tighter than the black-box ones.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.privacy.AuditPrivateTraining
 * </pre>
 */
public final class AuditPrivateTraining {

    /**
     * What the example measured.
     *
     * @param claimed the epsilon both runs claim
     * @param correct the audit of the correct run
     * @param buggy the audit of the run with a tenth of the noise
     * @param whiteBoxCorrect the correct run audited with gradient canaries
     * @param whiteBoxBuggy the buggy run audited with gradient canaries
     */
    public record Result(double claimed, PrivacyAudit.Result correct, PrivacyAudit.Result buggy,
            PrivacyAudit.Result whiteBoxCorrect, PrivacyAudit.Result whiteBoxBuggy) {
    }

    private AuditPrivateTraining() {
    }

    /** DP-SGD claiming {@code epsilon} over {@code epochs}, its noise multiplied by {@code noiseScale}. */
    static TrainingRoutine dpSgd(double epsilon, int epochs, double noiseScale) {
        return (data, seed) -> {
            DpSgd<MultiLayerNetworkModel> run = dpSgdRun(data, epsilon, epochs, noiseScale, seed);
            run.fit(data);
            return run.model();
        };
    }

    /** The DP-SGD run itself, untrained: batch 100, clip norm 1. */
    static DpSgd<MultiLayerNetworkModel> dpSgdRun(LabeledData data, double epsilon, int epochs, double noiseScale,
            long seed) {
        int batch = 100;
        double q = (double) batch / data.size();
        long steps = (long) epochs * (long) Math.ceil(data.size() / (double) batch);
        double sigma = RdpAccountant.noiseMultiplier(epsilon, q, steps, 1e-5, RdpAccountant.DEFAULT_ORDERS);
        MultiLayerNetwork net = ReferenceModels.smallMlp(seed);
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        return DpSgd.builder(model).clipNorm(1).noiseMultiplier(sigma * noiseScale).expectedBatchSize(batch)
                .epochs(epochs).delta(1e-5).seed(seed)
                // seeded so that the example gives the same bounds every run; a real run keeps the
                // default cryptographic noise source
                .noise(NoiseSource.seeded(seed)).build();
    }

    /** Audits both runs with {@code canaries} noise canaries and {@code guesses} guesses. */
    public static Result run(int canaries, int guesses) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(1000);
        PrivacyAudit.Config config = PrivacyAudit.Config.of(canaries, guesses).kind(PrivacyAudit.Canaries.NOISE)
                .seed(3);
        PrivacyAudit.Result correct = PrivacyAudit.run(dpSgd(1.0, 30, 1.0), train, null, config);
        PrivacyAudit.Result buggy = PrivacyAudit.run(dpSgd(1.0, 30, 0.1), train, null, config);
        PrivacyAudit.Config gradient = PrivacyAudit.Config.of(1000, 200).kind(PrivacyAudit.Canaries.GRADIENT).seed(3);
        PrivacyAudit.Result whiteBoxCorrect = PrivacyAudit.runGradient(dpSgdRun(train, 1.0, 30, 1.0, 3), train,
                gradient).audit();
        PrivacyAudit.Result whiteBoxBuggy = PrivacyAudit.runGradient(dpSgdRun(train, 1.0, 30, 0.1, 3), train,
                gradient).audit();
        return new Result(1.0, correct, buggy, whiteBoxCorrect, whiteBoxBuggy);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(600, 120);
        System.out.printf(Locale.ROOT, "claimed epsilon %.1f%n correct DP-SGD: %s%n buggy DP-SGD (a tenth of the"
                + " noise): %s%nwhite-box, gradient canaries%n correct DP-SGD: %s%n buggy DP-SGD: %s%n", r.claimed(),
                r.correct(), r.buggy(), r.whiteBoxCorrect(), r.whiteBoxBuggy());
        System.out.println(r.buggy().epsilonLowerBound() > r.claimed() ? "the buggy run is caught: its canaries prove"
                + " more than it claims" : "the audit did not catch the buggy run");
    }
}
