package dev.rampart.benchmarks.extraction;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.extraction.Answers;
import dev.rampart.attacks.extraction.CopycatCnn;
import dev.rampart.attacks.extraction.ExtractionResult;
import dev.rampart.attacks.extraction.JacobianAugmentation;
import dev.rampart.attacks.extraction.KnockoffNets;
import dev.rampart.attacks.extraction.Substitute;
import dev.rampart.attacks.extraction.TransferAttack;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.random.Seeds;
import dev.rampart.defenses.extraction.ConfidenceCutoff;
import dev.rampart.defenses.extraction.GaussianNoise;
import dev.rampart.defenses.extraction.OutputDefense;
import dev.rampart.defenses.extraction.Prada;
import dev.rampart.defenses.extraction.ReverseSigmoid;
import dev.rampart.defenses.extraction.RoundedProbabilities;
import dev.rampart.defenses.extraction.TopLabelOnly;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The extraction figures against the bundled reference CNN: every probe with top-1 and with
 * probability answers, on a problem-domain pool (Fashion-MNIST training images) and two
 * non-problem-domain pools: synthetic quadrant mosaics (each image is four half-scale quarters of
 * random training images, each rotated by a random multiple of 90 degrees and, half the time,
 * inverted) and turned images (training images rotated by 90, 180 or 270 degrees, half of them
 * mirrored); Copycat CNN runs on the turned pool. The
 * same against each output defense; PRADA's queries until alarm and its false alarms on natural
 * streams; and the transfer of PGD examples crafted on each substitute. Accuracy and fidelity are
 * measured on test images 0-4,999; natural streams and transfer use test images 5,000-9,999.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.extraction.ExtractionFigures --budgets 250,1000,2000,5000,10000
 * </pre>
 */
@Command(name = "extraction-figures", mixinStandardHelpOptions = true, description = "Model extraction figures.")
public final class ExtractionFigures implements Callable<Integer> {

    @Option(names = "--budgets", split = ",", description = "query budgets (default ${DEFAULT-VALUE})")
    long[] budgets = {250, 1000, 2000, 5000, 10000};
    @Option(names = "--epochs", description = "substitute training epochs (default ${DEFAULT-VALUE})")
    int epochs = 20;
    @Option(names = "--clients", description = "natural streams for PRADA's false alarms (default ${DEFAULT-VALUE})")
    int clients = 20;
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--skip-defenses", description = "skip the output defenses")
    boolean skipDefenses;
    @Option(names = "--substitute", description = "the attacker's network: mlp or cnn (default ${DEFAULT-VALUE})")
    String substituteName = "mlp";
    @Option(names = "--answers", split = ",", description = "answer kinds of the probes: labels, probabilities"
            + " (default: both)")
    List<Answers> answerKinds = List.of(Answers.values());
    @Option(names = "--skip-prada", description = "skip the PRADA figures")
    boolean skipPrada;
    @Option(names = "--knockoff-only", description = "only Knockoff Nets (random) on the problem-domain pool")
    boolean knockoffOnly;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExtractionFigures()).execute(args));
    }

    private Substitute substitute() {
        if (!List.of("mlp", "cnn").contains(substituteName)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--substitute must be mlp or cnn, found '"
                    + substituteName + "'");
        }
        return new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.byName(substituteName, seed),
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), epochs, 64);
    }

    @Override
    public Integer call() throws Exception {
        MultiLayerNetworkModel victim = BundledModels.referenceCnn();
        LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, 0);
        LabeledData testAll = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        LabeledData heldOut = testAll.slice(0, 5000);
        LabeledData other = testAll.slice(5000, 10000);
        long max = budgets[budgets.length - 1];
        LabeledData domainPool = train.slice(0, (int) Math.max(max, 20000));
        INDArray mosaics = mosaics(train, (int) Math.max(max, 20000), 11);
        INDArray turned = turned(domainPool.features(), 12);
        for (Object[] pool : new Object[][] {{"problem-domain", domainPool.features()}, {"mosaic", mosaics},
            {"turned", turned}}) {
            int[] counts = new int[10];
            for (int c : victim.predictClasses((INDArray) pool[1])) {
                counts[c]++;
            }
            say("victim's answers on the %s pool, per class: %s", pool[0], java.util.Arrays.toString(counts));
        }
        say("victim: bundled reference CNN, test accuracy %.4f on test 0-4999; substitute: reference %s, Adam,"
                + " %d epochs, batch 64", Metrics.accuracy(victim.predictClasses(heldOut.features()),
                heldOut.labels()), substituteName.toUpperCase(Locale.ROOT), epochs);
        Substitute sub = substitute();
        if (knockoffOnly) {
            for (Answers a : Answers.values()) {
                report(KnockoffNets.builder(victim).pool(domainPool.features()).answers(a).budgets(budgets)
                        .substitute(sub).heldOut(heldOut).seed(1).build().run(), "problem-domain pool");
            }
            return 0;
        }
        List<ExtractionResult> finals = new ArrayList<>();
        for (Answers a : answerKinds) {
            finals.add(report(KnockoffNets.builder(victim).pool(domainPool.features()).answers(a).budgets(budgets)
                    .substitute(sub).heldOut(heldOut).seed(1).build().run(), "problem-domain pool"));
            report(KnockoffNets.builder(victim).pool(mosaics).answers(a).budgets(budgets).substitute(sub)
                    .heldOut(heldOut).seed(1).build().run(), "mosaic pool");
            report(KnockoffNets.builder(victim).pool(turned).answers(a).budgets(budgets).substitute(sub)
                    .heldOut(heldOut).seed(1).build().run(), "turned pool");
            report(KnockoffNets.builder(victim).pool(domainPool.features()).adaptive(domainPool.labels()).answers(a)
                    .budgets(budgets).substitute(sub).heldOut(heldOut).seed(1).build().run(),
                    "problem-domain pool, actions = pool labels");
            finals.add(report(JacobianAugmentation.builder(victim).seedSet(domainPool.head(150).features())
                    .answers(a).budget(max).substitute(sub).heldOut(heldOut).seed(1).build().run(),
                    "150 seed images, lambda 0.1"));
        }
        finals.add(report(CopycatCnn.builder(victim).pool(turned).budgets(budgets).substitute(sub).heldOut(heldOut)
                .seed(1).build().run(), "turned pool"));
        say("%nTransfer: PGD L-inf, 20 steps, crafted on each substitute, 1,000 test images (5000-5999)");
        for (ExtractionResult r : finals) {
            for (double eps : new double[] {0.1, 0.2}) {
                TransferAttack.Result t = TransferAttack.evaluate(Pgd.builder((GradientClassifier) r.substitute())
                        .epsilon(eps).steps(20).seed(1).build(), victim, other.head(1000));
                say("  %s, %s answers: %s", r.probe(), r.answers().name().toLowerCase(Locale.ROOT), t);
            }
        }
        if (!skipDefenses) {
            say("%nOutput defenses (Knockoff random, problem-domain pool); victim accuracy cost on test 0-4999");
            double clean = Metrics.accuracy(victim.predictClasses(heldOut.features()), heldOut.labels());
            for (OutputDefense d : List.of(new TopLabelOnly(victim), new RoundedProbabilities(victim, 1),
                    new GaussianNoise(victim, 0.1, 5), new ConfidenceCutoff(victim, 0.5),
                    new ReverseSigmoid(victim, 1.0, 0.1), new ReverseSigmoid(victim, 0.5, 0.4))) {
                double acc = Metrics.accuracy(d.predictClasses(heldOut.features()), heldOut.labels());
                say("%s: accuracy %.4f (cost %.2f points)", d, acc, 100 * (clean - acc));
                for (Answers a : Answers.values()) {
                    report(KnockoffNets.builder(d).reference(victim).pool(domainPool.features()).answers(a)
                            .budgets(budgets).substitute(sub).heldOut(heldOut).seed(1).build().run(), "against " + d);
                }
            }
        }
        if (!skipPrada) {
            prada(victim, domainPool, other, sub, heldOut);
        }
        return 0;
    }

    private void prada(MultiLayerNetworkModel victim, LabeledData pool, LabeledData natural, Substitute sub,
            LabeledData heldOut) {
        for (double delta : new double[] {0.90, 0.95}) {
            say("%nPRADA, threshold %.2f (window 1000, at least 100 distances, 500 stored per class)", delta);
            Prada prada = Prada.builder(victim).threshold(delta).build();
            int alarms = 0;
            for (int c = 0; c < clients; c++) {
                String id = "natural-" + c;
                Classifier api = prada.guard(victim, id, false);
                int[] order = ShuffledBatches.permutation(natural.size(), Seeds.random(100 + c));
                for (int i = 0; i < order.length; i += 10) {
                    api.predictProbabilities(Rows.gather(natural.features(), java.util.Arrays.copyOfRange(order, i,
                            Math.min(order.length, i + 10))));
                }
                alarms += prada.alarmed(id) ? 1 : 0;
            }
            say("  natural streams (%d clients, 5,000 test images each, random order): %d raised an alarm", clients,
                    alarms);
            List<Prada.Alarm> raised = new ArrayList<>();
            prada.onAlarm(raised::add);
            for (double lambda : new double[] {0.1, 0.05, 0.02}) {
                String id = "jacobian-" + lambda;
                JacobianAugmentation.builder(prada.guard(victim, id, false)).seedSet(pool.head(150).features())
                        .lambda(lambda).budget(5000).substitute(sub).heldOut(heldOut.head(500)).reference(victim)
                        .seed(1).build().run();
                say("  Jacobian augmentation, lambda %s, 5,000 queries: %s", lambda, alarmOf(raised, id,
                        prada.lastW(id)));
            }
            for (Answers a : Answers.values()) {
                String id = "knockoff-" + a;
                KnockoffNets.builder(prada.guard(victim, id, false)).pool(pool.features()).answers(a).budgets(5000)
                        .substitute(sub).heldOut(heldOut.head(500)).reference(victim).seed(1).build().run();
                say("  Knockoff random (%s), 5,000 queries: %s", a.name().toLowerCase(Locale.ROOT), alarmOf(raised,
                        id, prada.lastW(id)));
            }
        }
    }

    private static String alarmOf(List<Prada.Alarm> raised, String id, double lastW) {
        return raised.stream().filter(x -> x.client().equals(id)).findFirst().map(Prada.Alarm::toString)
                .orElse(String.format(Locale.ROOT, "no alarm (last W %.4f)", lastW));
    }

    private static ExtractionResult report(ExtractionResult r, String setting) {
        say("%s, %s: %s", r.toString(), setting, "");
        for (ExtractionResult.Point p : r.curve()) {
            say("    %s", p);
        }
        say("    %.2f s per 1,000 queries (querying and training)", 1000 * r.seconds() / r.queries());
        return r;
    }

    /** Each image rotated by a random 90, 180 or 270 degrees and, half the time, mirrored left to right. */
    static INDArray turned(INDArray images, long seed) {
        SplittableRandom rnd = Seeds.random(seed);
        int n = (int) images.size(0);
        float[][][] out = new float[n][28][28];
        for (int i = 0; i < n; i++) {
            float[][] src = images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).reshape(28, 28).toFloatMatrix();
            int rot = 1 + rnd.nextInt(3);
            boolean mirror = rnd.nextBoolean();
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int ry = y;
                    int rx = mirror ? 27 - x : x;
                    for (int r = 0; r < rot; r++) {
                        int t = ry;
                        ry = rx;
                        rx = 27 - t;
                    }
                    out[i][y][x] = src[ry][rx];
                }
            }
        }
        return Nd4j.create(out).reshape(n, 1, 28, 28).castTo(DataType.FLOAT);
    }

    /** Quadrant mosaics of random training images, each quarter rotated by k x 90 degrees and maybe inverted. */
    static INDArray mosaics(LabeledData train, int n, long seed) {
        SplittableRandom rnd = Seeds.random(seed);
        float[][][] images = new float[n][28][28];
        INDArray f = train.features();
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < 4; q++) {
                float[][] src = f.get(org.nd4j.linalg.indexing.NDArrayIndex.point(rnd.nextInt(train.size())))
                        .reshape(28, 28).toFloatMatrix();
                int rot = rnd.nextInt(4);
                boolean invert = rnd.nextBoolean();
                int oy = (q / 2) * 14;
                int ox = (q % 2) * 14;
                for (int y = 0; y < 14; y++) {
                    for (int x = 0; x < 14; x++) {
                        int sy = 2 * y;
                        int sx = 2 * x;
                        int ry = sy;
                        int rx = sx;
                        for (int r = 0; r < rot; r++) {
                            int t = ry;
                            ry = rx;
                            rx = 27 - t;
                        }
                        float v = src[ry][rx];
                        images[i][oy + y][ox + x] = invert ? 1 - v : v;
                    }
                }
            }
        }
        return Nd4j.create(images).reshape(n, 1, 28, 28).castTo(DataType.FLOAT);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
