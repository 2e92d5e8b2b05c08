package dev.rampart.examples.training;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.training.AdversarialTraining;
import dev.rampart.defenses.training.TrainingReport;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;

/**
 * Standard training, PGD-7 adversarial training, fast FGSM adversarial training and TRADES (7
 * steps, beta 6) of the same reference model on the bundled sample: the time of an epoch relative to standard training, and
 * the PGD-20 robust accuracy each reaches (L-inf 0.1).
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.training.AdversarialTrainingCost -Dexec.args="cnn 4000 3"
 * </pre>
 */
public final class AdversarialTrainingCost {

    /** Budget of training and evaluation. */
    public static final double EPSILON = 0.1;

    /**
     * One way of training.
     *
     * @param name how the model was trained
     * @param secondsPerEpoch mean wall time of a training epoch
     * @param cleanAccuracy held-out clean accuracy
     * @param robustAccuracy held-out PGD-20 accuracy at {@link #EPSILON}
     */
    public record Row(String name, double secondsPerEpoch, double cleanAccuracy, double robustAccuracy) {
    }

    private AdversarialTrainingCost() {
    }

    /** Trains four copies of the reference {@code cnn} or {@code mlp} for {@code epochs} on {@code trainSize} images. */
    public static Row[] run(String kind, int trainSize, int epochs, int heldOutSize) throws IOException {
        LabeledData train = FashionMnist.bundledTrain().head(trainSize);
        LabeledData heldOut = FashionMnist.bundledTest().head(heldOutSize);
        DataSet all = new DataSet(train.features(), Labels.oneHot(train.labels(), 10));

        MultiLayerNetworkModel standard = fresh(kind);
        long start = System.nanoTime();
        ViewIterator it = new ViewIterator(all, 64);
        for (int e = 0; e < epochs; e++) {
            it.reset();
            while (it.hasNext()) {
                DataSet b = it.next();
                standard.fit(b.getFeatures(), b.getLabels());
            }
        }
        double standardSeconds = (System.nanoTime() - start) / 1e9 / epochs;

        // the adversarial methods (Gaussian augmentation trains for certification: CertifyWithSmoothing)
        List<AdversarialTraining.Method> methods = List.of(AdversarialTraining.Method.PGD,
                AdversarialTraining.Method.FAST_FGSM, AdversarialTraining.Method.TRADES);
        Row[] rows = new Row[methods.size() + 1];
        rows[0] = row("standard", standardSeconds, standard, heldOut);
        int i = 1;
        for (AdversarialTraining.Method m : methods) {
            MultiLayerNetworkModel model = fresh(kind);
            TrainingReport report = AdversarialTraining.builder(model).method(m).epsilon(EPSILON).pgdSteps(7)
                    .epochs(epochs).seed(1).build().fit(new ViewIterator(all, 64));
            double seconds = report.epochs().stream().mapToDouble(TrainingReport.Epoch::seconds).average().orElse(0);
            rows[i++] = row(switch (m) {
                case PGD -> "PGD-7 AT";
                case FAST_FGSM -> "fast FGSM AT";
                case TRADES -> "TRADES-7";
                default -> throw new IllegalStateException(m.toString());
            }, seconds, model, heldOut);
        }
        return rows;
    }

    private static MultiLayerNetworkModel fresh(String kind) {
        MultiLayerNetwork net = "mlp".equals(kind) ? ReferenceModels.mlp(11) : ReferenceModels.cnn(11);
        return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    private static Row row(String name, double seconds, MultiLayerNetworkModel model, LabeledData heldOut) {
        var r = Pgd.builder(model).epsilon(EPSILON).steps(20).seed(2).build().run(heldOut.features(), heldOut.labels());
        return new Row(name, seconds, r.cleanAccuracy(), r.robustAccuracy());
    }

    public static void main(String[] args) throws IOException {
        String kind = args.length > 0 ? args[0] : "cnn";
        int trainSize = args.length > 1 ? Integer.parseInt(args[1]) : FashionMnist.BUNDLED_TRAIN;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Row[] rows = run(kind, trainSize, epochs, 1000);
        System.out.printf(Locale.ROOT, "%s, %d training images, %d epochs, batch 64; PGD-20 L-inf %.2f on 1000 test images%n",
                kind, trainSize, epochs, EPSILON);
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-13s %6.1f s/epoch (%.2fx standard)  clean %.1f%%  robust %.1f%%%n", r.name(),
                    r.secondsPerEpoch(), r.secondsPerEpoch() / rows[0].secondsPerEpoch(), 100 * r.cleanAccuracy(),
                    100 * r.robustAccuracy());
        }
    }
}
