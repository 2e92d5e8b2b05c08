package dev.rampart.examples.evasion;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.norm.Norm;
import java.io.IOException;
import java.util.Locale;

/**
 * FGSM and PGD against the bundled Fashion-MNIST CNN: how much accuracy survives an L-inf
 * perturbation of epsilon.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.evasion.EvasionQuickstart
 * </pre>
 */
public final class EvasionQuickstart {

    /**
     * What the example measured.
     *
     * @param clean clean accuracy
     * @param fgsm accuracy under FGSM
     * @param pgd accuracy under PGD-20
     * @param fooledExample index of an example PGD fooled, or -1
     * @param fooledAs the class PGD made the model predict for it
     */
    public record Result(double clean, double fgsm, double pgd, int fooledExample, int fooledAs) {
    }

    private EvasionQuickstart() {
    }

    /** Attacks the first {@code samples} bundled test images at budget {@code epsilon}. */
    public static Result run(int samples, double epsilon) throws IOException {
        MultiLayerNetworkModel model = BundledModels.referenceCnn();
        LabeledData test = FashionMnist.bundledTest().head(samples);

        EvasionResult fgsm = Fgsm.builder(model).norm(Norm.LINF).epsilon(epsilon).build()
                .run(test.features(), test.labels());
        EvasionResult pgd = Pgd.builder(model).norm(Norm.LINF).epsilon(epsilon).steps(20).seed(1).build()
                .run(test.features(), test.labels());

        int fooled = -1;
        for (int i = 0; i < samples && fooled < 0; i++) {
            if (pgd.cleanPredictions()[i] == test.labels()[i] && pgd.success()[i]) {
                fooled = i;
            }
        }
        return new Result(pgd.cleanAccuracy(), fgsm.robustAccuracy(), pgd.robustAccuracy(), fooled,
                fooled < 0 ? -1 : pgd.adversarialPredictions()[fooled]);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(500, 0.1);
        System.out.printf(Locale.ROOT, "clean accuracy %.1f%%, under FGSM %.1f%%, under PGD-20 %.1f%% (L-inf, eps 0.1)%n",
                100 * r.clean(), 100 * r.fgsm(), 100 * r.pgd());
        if (r.fooledExample() >= 0) {
            System.out.printf("example %d: PGD made the model call it '%s'%n", r.fooledExample(),
                    FashionMnist.CLASS_NAMES[r.fooledAs()]);
        }
    }
}
