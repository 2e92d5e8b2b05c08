package dev.rampart.benchmarks.evasion;

import dev.rampart.attacks.evasion.BoundaryAttack;
import dev.rampart.attacks.evasion.CarliniWagner;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.HopSkipJump;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.zoo.BundledModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A label-only attack's distance against its query budget: HopSkipJump (Chen, Jordan &amp;
 * Wainwright 2020) or the Boundary attack (Brendel, Rauber &amp; Bethge 2018) on the bundled
 * standard CNN, seen as a model that returns its top class only, with budgets of 1,000 to 25,000
 * queries per image, beside the C&amp;W L2 attack's minimal distances (white-box) on the same
 * images. Medians over the images both attacks fool.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.evasion.LabelOnlyFigures --attack boundary --images 50 --queries 1000,5000
 * </pre>
 */
@Command(name = "label-only-figures", mixinStandardHelpOptions = true,
        description = "HopSkipJump's or Boundary's median L2 against queries, beside C&W.")
public final class LabelOnlyFigures implements Callable<Integer> {

    /** The label-only attacks measured here. */
    enum Attack {
        HSJ, BOUNDARY
    }

    @Option(names = "--attack", description = "hsj or boundary (default: hsj)", converter = AttackConverter.class)
    Attack attack = Attack.HSJ;

    /** Reads hsj or boundary, in any case. */
    static final class AttackConverter implements CommandLine.ITypeConverter<Attack> {
        @Override
        public Attack convert(String value) {
            for (Attack a : Attack.values()) {
                if (a.name().equalsIgnoreCase(value)) {
                    return a;
                }
            }
            throw new CommandLine.TypeConversionException("--attack must be hsj or boundary, found '" + value + "'");
        }
    }

    @Option(names = "--images", description = "correctly classified test images attacked (default: 50)")
    int images = 50;

    @Option(names = "--queries", split = ",", description = "query budgets (default: 1000,5000,10000,25000)")
    int[] queries = {1000, 5000, 10000, 25000};

    @Option(names = "--seed", description = "seed (default: 1)")
    long seed = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LabelOnlyFigures()).execute(args));
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Override
    public Integer call() throws Exception {
        GradientClassifier model = BundledModels.referenceCnn();
        LabeledData test = FashionMnist.bundledTest();
        int[] predicted = model.predictClasses(test.features());
        List<Integer> right = new ArrayList<>();
        for (int i = 0; i < test.size() && right.size() < images; i++) {
            if (predicted[i] == test.labels()[i]) {
                right.add(i);
            }
        }
        int[] idx = right.stream().mapToInt(Integer::intValue).toArray();
        var x = Rows.gather(test.features(), idx);
        int[] y = Rows.pick(test.labels(), idx);
        Classifier labelOnly = new BlackBoxModel(q -> Labels.oneHot(model.predictClasses(q), model.numClasses())
                .castTo(q.dataType()), model.numClasses(), model.inputShape(), model.domain());
        long t0 = System.nanoTime();
        EvasionResult cw = CarliniWagner.builder(model).build().run(x, y);
        double cwSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("images %d (the first correctly classified of the bundled test sample), seed %d%n", idx.length,
                seed);
        System.out.printf("C&W L2: success %.3f, median L2 %.3f, %.1f s%n", cw.successRate(),
                median(successful(cw, null)), cwSeconds);
        System.out.printf("queries  success  median L2 (%s)  median L2 (C&W, same images)  ratio  seconds%n", attack);
        for (int q : queries) {
            long t1 = System.nanoTime();
            EvasionResult r = attack == Attack.HSJ
                    ? HopSkipJump.builder(labelOnly).queries(q).seed(seed).build().run(x, y)
                    : BoundaryAttack.builder(labelOnly).queries(q).seed(seed).build().run(x, y);
            double seconds = (System.nanoTime() - t1) / 1e9;
            double hsj = median(successful(r, cw));
            double ref = median(successful(cw, r));
            System.out.printf("%7d  %7.3f  %15.3f  %28.3f  %5.2f  %7.1f   (%d queries used)%n", q, r.successRate(), hsj, ref,
                    hsj / ref, seconds, r.gradientCalls());
        }
        return 0;
    }

    /** The distances of {@code r} on the examples it fooled (and {@code other} too, when given). */
    private static double[] successful(EvasionResult r, EvasionResult other) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.success()[i] && (other == null || other.success()[i])) {
                out.add(r.perturbationNorm()[i]);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
