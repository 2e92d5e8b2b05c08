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
     */
    public record Result(double claimed, PrivacyAudit.Result correct, PrivacyAudit.Result buggy) {
    }

    private AuditPrivateTraining() {
    }

    /** DP-SGD claiming {@code epsilon} over {@code epochs}, its noise multiplied by {@code noiseScale}. */
    static TrainingRoutine dpSgd(double epsilon, int epochs, double noiseScale) {
        int batch = 100;
        return (data, seed) -> {
            double q = (double) batch / data.size();
            long steps = (long) epochs * (long) Math.ceil(data.size() / (double) batch);
            double sigma = RdpAccountant.noiseMultiplier(epsilon, q, steps, 1e-5, RdpAccountant.DEFAULT_ORDERS);
            MultiLayerNetwork net = ReferenceModels.smallMlp(seed);
            MultiLayerNetworkModel model = MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
            DpSgd.builder(model).clipNorm(1).noiseMultiplier(sigma * noiseScale).expectedBatchSize(batch)
                    .epochs(epochs).delta(1e-5).seed(seed)
                    // seeded so that the example gives the same bounds every run; a real run keeps the
                    // default cryptographic noise source
                    .noise(NoiseSource.seeded(seed)).build().fit(data);
            return model;
        };
    }

    /** Audits both runs with {@code canaries} noise canaries and {@code guesses} guesses. */
    public static Result run(int canaries, int guesses) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(1000);
        PrivacyAudit.Config config = PrivacyAudit.Config.of(canaries, guesses).kind(PrivacyAudit.Canaries.NOISE)
                .seed(3);
        PrivacyAudit.Result correct = PrivacyAudit.run(dpSgd(1.0, 30, 1.0), train, null, config);
        PrivacyAudit.Result buggy = PrivacyAudit.run(dpSgd(1.0, 30, 0.1), train, null, config);
        return new Result(1.0, correct, buggy);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(600, 120);
        System.out.printf(Locale.ROOT, "claimed epsilon %.1f%n correct DP-SGD: %s%n buggy DP-SGD (a tenth of the"
                + " noise): %s%n", r.claimed(), r.correct(), r.buggy());
        System.out.println(r.buggy().epsilonLowerBound() > r.claimed() ? "the buggy run is caught: its canaries prove"
                + " more than it claims" : "the audit did not catch the buggy run");
    }
}
