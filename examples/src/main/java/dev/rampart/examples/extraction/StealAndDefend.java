package dev.rampart.examples.extraction;

import dev.rampart.attacks.extraction.Answers;
import dev.rampart.attacks.extraction.ExtractionResult;
import dev.rampart.attacks.extraction.JacobianAugmentation;
import dev.rampart.attacks.extraction.KnockoffNets;
import dev.rampart.attacks.extraction.Substitute;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.extraction.Prada;
import dev.rampart.defenses.extraction.ReverseSigmoid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How cheaply the bundled CNN is copied through its probabilities, what the reverse sigmoid output
 * defense (Lee et al. 2019) changes (it keeps the top label, so a patient attacker still copies the
 * decisions; it slows the copy at small budgets), and how PRADA (Juuti et al. 2019) spots a Jacobian-augmentation
 * probe (Papernot et al. 2017) in a client's query stream. Knockoff Nets (Orekondy et al. 2019)
 * queries {@code budget} bundled training images; the substitute is a small MLP the attacker
 * trains; fidelity is top-1 agreement with the bare victim on 1,000 bundled test images.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.extraction.StealAndDefend
 * </pre>
 */
public final class StealAndDefend {

    /**
     * What the example measured.
     *
     * @param undefended Knockoff Nets against the bare victim's probabilities
     * @param defended the same against the reverse sigmoid's
     * @param alarm PRADA's alarm on the Jacobian client, or null if none was raised
     * @param naturalAlarms alarms raised by clients that sent natural test images
     */
    public record Result(ExtractionResult undefended, ExtractionResult defended, Prada.Alarm alarm,
            int naturalAlarms) {
    }

    private StealAndDefend() {
    }

    public static Result run(int budget) throws IOException {
        MultiLayerNetworkModel victim = BundledModels.referenceCnn();
        LabeledData pool = FashionMnist.bundledTrain();
        LabeledData test = FashionMnist.bundledTest().head(1000);
        Substitute mlp = new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.mlp(seed),
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), 10, 32);

        ExtractionResult undefended = KnockoffNets.builder(victim).pool(pool.features())
                .answers(Answers.PROBABILITIES).budgets(budget / 4, budget).substitute(mlp).heldOut(test).seed(1)
                .build().run();
        Classifier api = new ReverseSigmoid(victim, 1.0, 0.1);
        ExtractionResult defended = KnockoffNets.builder(api).reference(victim).pool(pool.features())
                .answers(Answers.PROBABILITIES).budgets(budget / 4, budget).substitute(mlp).heldOut(test).seed(1)
                .build().run();

        Prada prada = Prada.builder(victim).build();
        List<Prada.Alarm> alarms = new ArrayList<>();
        prada.onAlarm(alarms::add);
        for (int c = 0; c < 3; c++) {
            Classifier natural = prada.guard(victim, "natural-" + c, false);
            LabeledData own = FashionMnist.bundledTest().slice(1000 + 300 * c, 1300 + 300 * c);
            for (int i = 0; i < own.size(); i += 10) {
                natural.predictProbabilities(own.slice(i, i + 10).features());
            }
        }
        int naturalAlarms = alarms.size();
        JacobianAugmentation.builder(prada.guard(victim, "jacobian", false)).seedSet(pool.head(100).features())
                .lambda(0.02).budget(800).substitute(mlp).heldOut(test.head(200)).reference(victim).seed(1).build()
                .run();
        Prada.Alarm alarm = alarms.stream().filter(a -> a.client().equals("jacobian")).findFirst().orElse(null);
        return new Result(undefended, defended, alarm, naturalAlarms);
    }

    public static void main(String[] args) throws IOException {
        Result r = run(1000);
        System.out.println(r.undefended());
        System.out.println(r.defended() + " (reverse sigmoid)");
        r.undefended().curve().forEach(p -> System.out.println("  undefended " + p));
        r.defended().curve().forEach(p -> System.out.println("  defended   " + p));
        System.out.println(String.format(Locale.ROOT, "PRADA: %d alarms on natural clients; Jacobian client: %s",
                r.naturalAlarms(), r.alarm() == null ? "no alarm" : r.alarm()));
    }
}
