package dev.rampart.examples.certification;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.model.zoo.ReferenceTraining;
import dev.rampart.core.norm.Norm;
import dev.rampart.defenses.certification.BoundCertificates;
import dev.rampart.defenses.certification.BoundPropagation;
import dev.rampart.defenses.training.AdversarialTraining;
import java.io.IOException;
import java.util.Locale;

/**
 * Deterministic certificates by bound propagation on the reference MLP: one copy trained normally,
 * one by interval bound propagation (Gowal et al. 2018); both verified at L-inf budgets by IBP and
 * by CROWN (Zhang et al. 2018), and the verified examples attacked by PGD inside the budget, which
 * must never break one.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.certification.VerifyWithBounds
 * </pre>
 */
public final class VerifyWithBounds {

    /** The training and verified budget. */
    public static final double EPSILON = 0.02;

    /**
     * What the example measured.
     *
     * @param standardCrown the normally trained model verified by CROWN
     * @param ibpIbp the interval-trained model verified by IBP
     * @param ibpCrown the interval-trained model verified by CROWN
     * @param pgdRobust PGD's robust accuracy on the interval-trained model at {@link #EPSILON}
     * @param broken verified examples PGD broke (a certificate broken)
     */
    public record Result(BoundCertificates standardCrown, BoundCertificates ibpIbp, BoundCertificates ibpCrown,
            double pgdRobust, int broken) {
    }

    private VerifyWithBounds() {
    }

    /** Trains both MLPs on {@code trainSize} bundled images for {@code epochs} and verifies the first {@code examples} test images. */
    public static Result run(int trainSize, int epochs, int examples) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(trainSize);
        LabeledData test = FashionMnist.bundledTest().head(examples);
        MultiLayerNetworkModel standard = fresh();
        ReferenceTraining.train(standard.network(), train, epochs, 100, 1, e -> { });
        MultiLayerNetworkModel certified = fresh();
        AdversarialTraining.builder(certified).method(AdversarialTraining.Method.IBP).epsilon(EPSILON)
                .epochs(epochs).warmupEpochs(1).seed(1).build().fit(new ShuffledBatches(train, 100, 1));

        BoundPropagation crown = BoundPropagation.builder(certified).method(BoundPropagation.Method.CROWN).build();
        BoundCertificates c = crown.certify(test, EPSILON);
        BoundCertificates i = BoundPropagation.builder(certified).method(BoundPropagation.Method.IBP).build()
                .certify(test, EPSILON);
        BoundCertificates s = BoundPropagation.builder(standard).method(BoundPropagation.Method.CROWN).build()
                .certify(test, EPSILON);
        EvasionResult pgd = Pgd.builder(certified).norm(Norm.LINF).epsilon(EPSILON).steps(50).restarts(2).seed(4)
                .build().run(test.features(), test.labels());
        int broken = 0;
        for (int k = 0; k < test.size(); k++) {
            broken += c.verified(0, k) && !pgd.robust(k) ? 1 : 0;
        }
        return new Result(s, i, c, pgd.robustAccuracy(), broken);
    }

    private static MultiLayerNetworkModel fresh() {
        return MultiLayerNetworkModel.of(ReferenceModels.mlp(11), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(FashionMnist.BUNDLED_TRAIN, 5, 500);
        System.out.printf(Locale.ROOT, "L-inf epsilon %.2f, 500 bundled test images%n", EPSILON);
        System.out.printf(Locale.ROOT, "trained normally:  clean %.1f%%, verified by CROWN %.1f%%%n",
                100 * r.standardCrown().cleanAccuracy(), 100 * r.standardCrown().verifiedAccuracy(0));
        System.out.printf(Locale.ROOT, "trained by IBP:    clean %.1f%%, verified by IBP %.1f%%, by CROWN %.1f%%,"
                + " PGD robust %.1f%%%n", 100 * r.ibpCrown().cleanAccuracy(), 100 * r.ibpIbp().verifiedAccuracy(0),
                100 * r.ibpCrown().verifiedAccuracy(0), 100 * r.pgdRobust());
        System.out.printf(Locale.ROOT, "verified examples PGD broke: %d%n", r.broken());
    }
}
