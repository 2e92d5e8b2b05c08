package dev.rampart.benchmarks.poisoning;

import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.PoisoningAttack;
import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.poisoning.AntiBackdoorLearning;
import dev.rampart.defenses.poisoning.ClassPriors;
import dev.rampart.defenses.poisoning.PoisonDetector;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.ReferenceDetector;
import dev.rampart.defenses.poisoning.ReferenceScores;
import dev.rampart.defenses.poisoning.RepresentationDetector;
import dev.rampart.defenses.poisoning.Representations;
import dev.rampart.defenses.poisoning.Spectre;
import dev.rampart.defenses.poisoning.TrustedLabelCheck;
import dev.rampart.defenses.poisoning.TrustedContrast;
import dev.rampart.defenses.poisoning.TrustedUnion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The poisoning evaluation matrix on full Fashion-MNIST: every cell ({@link PoisonCells}: an attack
 * family, a rate, a target) poisons the training set, trains the reference CNN on it (cached, so
 * that detectors can be rerun), measures clean accuracy and attack success, runs every data-level
 * detector on the model's last hidden layer (recall, precision, false-positive rate, time with and
 * without the activation pass), and retrains without the examples the chosen pipeline flags; with
 * {@code --abl} it also trains a fresh model of the cell with anti-backdoor learning. Rows
 * are printed and appended, as Markdown, to {@code --table}.
 *
 * <pre>
 * java -cp ... dev.rampart.benchmarks.poisoning.PoisoningMatrix --epochs 3 --cache /tmp/matrix \
 *     --cells clean,badnets:0.05,badnets:0.01,blend:0.05,sig:0.05 --detectors ac,ss,spectre,explain --sanitize-with spectre,spectre+explain
 * java -cp ... dev.rampart.benchmarks.poisoning.PoisoningMatrix --train-only --cells wanet:0.1,lc:0.05
 * java -cp ... dev.rampart.benchmarks.poisoning.PoisoningMatrix --cells badnets:0.05 --detectors none --abl
 * </pre>
 */
@Command(name = "poisoning-matrix", mixinStandardHelpOptions = true, description = "Poisoning defenses against attack"
        + " families on full Fashion-MNIST.")
public final class PoisoningMatrix implements Callable<Integer> {

    @Option(names = "--epochs", description = "training epochs of every model (default ${DEFAULT-VALUE})")
    int epochs = 3;
    @Option(names = "--cells", split = ",", required = true, description = "cells, family:rate[:target]")
    List<String> cells;
    @Option(names = "--detectors", split = ",", description = "detectors among " + "ac, ss, spectre, spectre-ref, explain, knn"
            + ", label-ref, label-cv (cross-fitted), contrast-ref, rcontrast-ref (contrast of the model's representations),"
            + " union-ref (the joint judgement of the reference detectors listed before it, by their smallest"
            + " p-value, as before 2026-12-07), fisher-ref (the same by Fisher's combination, sanitize's default),"
            + " or none (default ${DEFAULT-VALUE})")
    List<String> detectors = List.of("ac", "ss", "spectre");
    @Option(names = "--sanitize-with", split = ",", description = "retrain without what these detectors flag,"
            + " each a detector or a union such as spectre+explain (default none)")
    List<String> sanitizeWith = List.of();
    @Option(names = "--precision-margins", split = ",", description = "also judge union-ref and fisher-ref with"
            + " these precision margins (standard errors; TrustedUnion.Builder.precisionMargin) and print each"
            + " verdict's recall and precision")
    List<Double> precisionMargins = List.of();
    @Option(names = "--cache", description = "where trained models are kept (default ${DEFAULT-VALUE})")
    Path cache = Path.of(System.getProperty("java.io.tmpdir"), "rampart-poisoning-matrix");
    @Option(names = "--data", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE})")
    Path data = Path.of(FashionMnist.DEBIAN_DIR);
    @Option(names = "--table", description = "Markdown file the rows are appended to")
    Path table;
    @Option(names = "--train-only", description = "only train (and cache) the cells' models")
    boolean trainOnly;
    @Option(names = "--seed", description = "seed of attacks and training (default ${DEFAULT-VALUE})")
    long seed = 7;
    @Option(names = "--retrain-seeds", split = ",", description = "training seeds of the sanitized models, and of"
            + " the poisoned models they are compared with (default: --seed alone)")
    List<Long> retrainSeeds = List.of();
    @Option(names = "--restore-priors", description = "before retraining, resample classes the removal depleted"
            + " back to their share of the trusted images (ClassPriors)")
    boolean restorePriors;
    @Option(names = "--reference", description = "trusted test images the detector spectre-ref judges each class"
            + " against: the first N (default ${DEFAULT-VALUE})")
    int reference = 5000;
    @Option(names = "--label-epochs", description = "epochs of the trusted label check's models (default"
            + " ${DEFAULT-VALUE})")
    int labelEpochs = 8;
    @Option(names = "--cross-fit-epochs", description = "epochs of the cross-fitted label check's models, label-cv"
            + " (default ${DEFAULT-VALUE})")
    int crossFitEpochs = 2;
    @Option(names = "--label-folds", description = "folds of the label checks' trusted set (default ${DEFAULT-VALUE})")
    int labelFolds = 2;
    @Option(names = "--abl", description = "also train a fresh model of each cell with anti-backdoor learning")
    boolean abl;
    @Option(names = "--abl-epochs", split = ",", description = "anti-backdoor learning's isolation and training"
            + " epochs (default ${DEFAULT-VALUE})")
    List<Integer> ablEpochs = List.of(2, 2);
    @Option(names = "--abl-gamma", description = "anti-backdoor learning's loss floor (default ${DEFAULT-VALUE})")
    double ablGamma = 0.5;
    @Option(names = "--abl-rate", description = "anti-backdoor learning's isolation rate (default ${DEFAULT-VALUE})")
    double ablRate = 0.01;
    @Option(names = "--abl-ranking", description = "anti-backdoor learning's isolation ranking: LOSS or CLASS_RELATIVE"
            + " (default ${DEFAULT-VALUE})")
    AntiBackdoorLearning.Ranking ablRanking = AntiBackdoorLearning.Ranking.CLASS_RELATIVE;
    @Option(names = "--abl-weight", description = "anti-backdoor learning's unlearning weight (default ${DEFAULT-VALUE})")
    double ablWeight = 0.3;
    @Option(names = "--abl-rate-of-step", description = "anti-backdoor learning's unlearning step as a share of the"
            + " updater's (default ${DEFAULT-VALUE})")
    double ablStep = 1;
    @Option(names = "--abl-unlearning", description = "anti-backdoor learning's unlearning: MARGIN or RELABEL"
            + " (default ${DEFAULT-VALUE})")
    AntiBackdoorLearning.Unlearning ablUnlearning = AntiBackdoorLearning.Unlearning.MARGIN;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PoisoningMatrix()).execute(args));
    }

    TrainingRoutine routine() {
        return ReferenceModels.routine("cnn", epochs, 128);
    }

    /** The model trained on {@code d} with the cells' seed, from the cache when it is there. */
    MultiLayerNetworkModel trained(String key, LabeledData d) throws IOException {
        return trained(key, d, seed);
    }

    /** The model trained on {@code d} with training seed {@code seed}, from the cache when it is there. */
    MultiLayerNetworkModel trained(String key, LabeledData d, long seed) throws IOException {
        Files.createDirectories(cache);
        Path file = cache.resolve(key + "-e" + epochs + "-s" + seed + ".zip");
        if (Files.exists(file)) {
            return MultiLayerNetworkModel.of(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false),
                    ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        }
        long t0 = System.nanoTime();
        MultiLayerNetworkModel m = (MultiLayerNetworkModel) routine().train(d, seed);
        Path tmp = cache.resolve(file.getFileName() + ".part");
        ModelSerializer.writeModel(m.network(), tmp.toFile(), false);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        say("  trained %s in %.0f s", key, secs(t0));
        return m;
    }

    @Override
    public Integer call() throws Exception {
        if (labelFolds < 2 || labelFolds > TrustedLabelCheck.MIN_TRUSTED_PER_CLASS) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--label-folds must be in [2, "
                    + TrustedLabelCheck.MIN_TRUSTED_PER_CLASS + "], found " + labelFolds);
        }
        if (labelEpochs < 1 || crossFitEpochs < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--label-epochs and --cross-fit-epochs"
                    + " must be at least 1, found " + labelEpochs + " and " + crossFitEpochs);
        }
        LabeledData train = FashionMnist.load(data, FashionMnist.Split.TRAIN, 0);
        LabeledData test = FashionMnist.load(data, FashionMnist.Split.TEST, 0);
        if (reference < 1 || reference > test.size()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--reference must be in [1, " + test.size()
                    + "], found " + reference);
        }
        detectors = detectors.stream().filter(d -> !d.equals("none")).toList();
        List<PoisonCells> parsed = cells.stream().map(PoisonCells::parse).toList();
        for (String pipeline : sanitizeWith) {
            for (String name : pipeline.split("\\+")) {
                if (!detectors.contains(name)) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--sanitize-with " + pipeline
                            + ": " + name + " is not among --detectors " + detectors);
                }
            }
        }
        for (PoisonCells cell : parsed) {
            PoisoningAttack attack = cell.attack(seed, () -> {
                try {
                    return trained("clean", train);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, reference < test.size() ? test.slice(reference, test.size()) : test);
            PoisonedData p = attack == null ? null : attack.poison(train);
            LabeledData poisoned = p == null ? train : p.data();
            boolean[] truth = p == null ? new boolean[train.size()] : p.poisonedMask();
            LabeledData asrTest = attack == null ? null : attack.attackTest(test);
            MultiLayerNetworkModel model = trained(cell.key(), poisoned);
            PoisoningEvaluation e = PoisoningEvaluation.of(model, test, asrTest);
            say("%s (%d poisoned): clean accuracy %.4f, attack success %.4f", cell, p == null ? 0 : p.poisoned().length,
                    e.cleanAccuracy(), e.attackSuccessRate());
            if (asrTest != null && Files.exists(cache.resolve("clean-e" + epochs + "-s" + seed + ".zip"))) {
                // the trigger's base rate: how often it moves test images to the target in a model never poisoned
                say("  attack success on the clean control's model (the trigger's base rate): %.4f",
                        PoisoningEvaluation.of(trained("clean", train), test, asrTest).attackSuccessRate());
            }
            if (trainOnly) {
                continue;
            }
            if (abl) {
                antiBackdoorLearning(cell, p, poisoned, truth, e, test, asrTest);
            }
            if (detectors.isEmpty()) {
                continue;
            }
            long t0 = System.nanoTime();
            // the activation pass serves the detectors that read the model's representations
            INDArray reps = detectors.stream().allMatch(n -> List.of("label-ref", "label-cv", "contrast-ref",
                    "union-ref", "fisher-ref").contains(n)) ? null
                    : Representations.of(model, Representations.lastHidden(model), poisoned.features());
            double activationSecs = secs(t0);
            say("  activation pass: %.1f s for %d images", activationSecs, poisoned.size());
            Map<String, boolean[]> flags = new HashMap<>();
            // the reference detectors' scores, kept for their joint judgement (union-ref)
            Map<String, ReferenceDetector> refs = new java.util.LinkedHashMap<>();
            Map<String, ReferenceScores> refScores = new HashMap<>();
            for (String name : detectors) {
                t0 = System.nanoTime();
                PoisonReport r;
                if (name.equals("union-ref") || name.equals("fisher-ref")) {
                    if (refs.size() < 2) {
                        throw new CommandLine.ParameterException(new CommandLine(this), name + " needs at least two"
                                + " of spectre-ref, label-ref, label-cv, contrast-ref, rcontrast-ref before it in --detectors " + detectors);
                    }
                    TrustedUnion.Combination how = name.equals("fisher-ref") ? TrustedUnion.Combination.FISHER
                            : TrustedUnion.Combination.MINIMUM;
                    List<ReferenceScores> members = refs.keySet().stream().map(refScores::get).toList();
                    TrustedUnion.Builder joint = TrustedUnion.builder(List.copyOf(refs.values())).combination(how);
                    r = joint.build().judgeAll(members).union();
                    for (double margin : precisionMargins) {
                        PoisonReport alt = joint.precisionMargin(margin).build().judgeAll(members).union();
                        PoisonReport.Score as = alt.against(truth);
                        say("  %s at precision margin %.3f: flagged %d, recall %.4f, precision %.4f; estimated"
                                + " precision by class %s", name, margin, as.flagged(), as.recall(), as.precision(),
                                alt.classes().stream().filter(PoisonReport.ClassSummary::suspicious)
                                        .map(c -> c.label() + ": " + fmt("%.3f", c.figures().getOrDefault(
                                                "estimatedPrecision", Double.NaN))).toList());
                    }
                } else {
                    PoisonDetector d = MatrixDetectors.make(name, model, largestShare(truth, poisoned),
                            test.slice(0, 1000), test.slice(0, reference), labelEpochs, crossFitEpochs, labelFolds, seed);
                    if (d instanceof ReferenceDetector rd && rd.referenceSize() > 0) {
                        ReferenceScores rs = d instanceof Spectre sp ? sp.referenceScores(poisoned, reps)
                                : d instanceof TrustedContrast tc && tc.config().layer() != null
                                        ? tc.referenceScores(poisoned, reps)
                                : rd.referenceScores(poisoned);
                        refs.put(name, rd);
                        refScores.put(name, rs);
                        r = rd.judge(rs);
                    } else {
                        r = d instanceof RepresentationDetector rd ? rd.detect(poisoned, reps) : d.detect(poisoned);
                    }
                }
                double analysis = secs(t0);
                PoisonReport.Score s = r.against(truth);
                String suspicious = r.classes().stream().filter(PoisonReport.ClassSummary::suspicious)
                        .map(c -> String.valueOf(c.label())).reduce((a, b) -> a + " " + b).orElse("none");
                say("  %s: flagged %d, recall %.4f, precision %.4f, false-positive rate %.4f, classes judged poisoned:"
                        + " %s (%.1f s analysis, %.1f s with the activation pass)", name, s.flagged(), s.recall(),
                        s.precision(), s.falsePositiveRate(), suspicious, analysis, analysis + activationSecs);
                r.classes().forEach(c -> say("    class %d: %s%s", c.label(), c.detail(), c.suspicious() ? " SUSPICIOUS"
                        : ""));
                if (p != null) {
                    say("    poison missed, by the class it came from: %s", Arrays.toString(missedBySource(r.flagged(),
                            truth, train.labels(), train.numClasses())));
                    if (refScores.containsKey(name)) {
                        oracleRanking(refScores.get(name), cell.target(), truth, train.labels(), train.numClasses());
                    }
                }
                flags.put(name, r.flagged());
                row(fmt("| %s | %d | %.4f | %.4f | %s | %d | %.3f | %.3f | %s | - | - | %.1f (+%.1f) |", cell,
                        p == null ? 0 : p.poisoned().length, e.cleanAccuracy(), e.attackSuccessRate(), name,
                        s.flagged(), s.recall(), s.precision(), suspicious, analysis, activationSecs));
            }
            for (String pipeline : sanitizeWith) {
                boolean[] removed = new boolean[poisoned.size()];
                for (String name : pipeline.split("\\+")) {
                    boolean[] f = flags.get(name);
                    for (int i = 0; i < removed.length; i++) {
                        removed[i] |= f[i];
                    }
                }
                int[] keep = Rows.where(removed, false);
                int flagged = removed.length - keep.length;
                int hit = 0;
                for (int i = 0; i < removed.length; i++) {
                    hit += removed[i] && truth[i] ? 1 : 0;
                }
                double recall = p == null ? Double.NaN : (double) hit / p.poisoned().length;
                double precision = flagged == 0 ? Double.NaN : (double) hit / flagged;
                say("  %s flags %d: recall %.4f, precision %.4f", pipeline, flagged, recall, precision);
                LabeledData kept = poisoned.rows(keep, poisoned.name() + ":sanitized");
                // the removed set is in the key: a detector that changes retrains rather than reusing a stale model
                String key = cell.key() + "-without-" + pipeline.replace('+', '-') + "-"
                        + Integer.toHexString(java.util.Arrays.hashCode(keep));
                if (restorePriors) {
                    ClassPriors.Restored r = ClassPriors.restore(kept, test.slice(0, reference), seed);
                    say("  class counts kept %s, after restoring the trusted shares %s",
                            java.util.Arrays.toString(r.keptCounts()), java.util.Arrays.toString(r.counts()));
                    kept = r.data();
                    key += "-priors";
                    pipeline += " (priors restored)";
                }
                List<Long> seeds = retrainSeeds.isEmpty() ? List.of(seed) : retrainSeeds;
                double[][] before = new double[2][seeds.size()];
                double[][] after = new double[2][seeds.size()];
                long t1 = System.nanoTime();
                for (int k = 0; k < seeds.size(); k++) {
                    long s = seeds.get(k);
                    PoisoningEvaluation b = s == seed ? e : PoisoningEvaluation.of(trained(cell.key(), poisoned, s),
                            test, asrTest);
                    PoisoningEvaluation a = flagged == 0 ? b : PoisoningEvaluation.of(trained(key, kept, s), test,
                            asrTest);
                    before[0][k] = b.cleanAccuracy();
                    before[1][k] = b.attackSuccessRate();
                    after[0][k] = a.cleanAccuracy();
                    after[1][k] = a.attackSuccessRate();
                    say("  training seed %d, retrained without the %d flagged by %s: clean accuracy %.4f -> %.4f,"
                            + " attack success %.4f -> %.4f", s, flagged, pipeline, b.cleanAccuracy(),
                            a.cleanAccuracy(), b.attackSuccessRate(), a.attackSuccessRate());
                }
                double retrain = secs(t1);
                if (seeds.size() == 1) {
                    row(fmt("| %s | %d | %.4f | %.4f | sanitize: %s | %d | %.3f | %.3f | - | %.4f | %.4f | %.0f"
                            + " (retraining) |", cell, p == null ? 0 : p.poisoned().length, e.cleanAccuracy(),
                            e.attackSuccessRate(), pipeline, flagged, recall, precision, after[0][0], after[1][0],
                            retrain));
                } else {
                    say("  over training seeds %s: clean accuracy %s -> %s (difference of means %+.4f), attack"
                            + " success %s -> %s", seeds, spread(before[0]), spread(after[0]),
                            mean(after[0]) - mean(before[0]), spread(before[1]), spread(after[1]));
                    row(fmt("| %s | %d | %s | %s | sanitize: %s, training seeds %s | %d | %.3f | %.3f | - | %s | %s |"
                            + " %.0f (%d poisoned + %d sanitized trainings) |", cell,
                            p == null ? 0 : p.poisoned().length, spread(before[0]), spread(before[1]), pipeline,
                            seeds, flagged, recall, precision, spread(after[0]), spread(after[1]), retrain,
                            seeds.size() - (seeds.contains(seed) ? 1 : 0), seeds.size()));
                }
            }
        }
        return 0;
    }

    /** Trains a fresh reference CNN on the cell's data with anti-backdoor learning; one row. */
    private void antiBackdoorLearning(PoisonCells cell, PoisonedData p, LabeledData poisoned, boolean[] truth,
            PoisoningEvaluation e, LabeledData test, LabeledData asrTest) throws IOException {
        if (ablEpochs.size() != 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--abl-epochs takes isolation,training"
                    + " epochs, found " + ablEpochs);
        }
        long t0 = System.nanoTime();
        MultiLayerNetworkModel fresh = MultiLayerNetworkModel.of(ReferenceModels.cnn(seed), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        AntiBackdoorLearning.Result<MultiLayerNetworkModel> r = AntiBackdoorLearning.builder()
                .isolationEpochs(ablEpochs.get(0)).trainingEpochs(ablEpochs.get(1)).gamma(ablGamma)
                .isolationRate(ablRate).ranking(ablRanking).unlearning(ablUnlearning).unlearningWeight(ablWeight).unlearningRate(ablStep).batchSize(128).seed(seed).build().train(fresh, poisoned);
        double secs = secs(t0);
        PoisonReport.Score s = r.isolation().against(truth);
        PoisoningEvaluation a = PoisoningEvaluation.of(r.model(), test, asrTest);
        PoisoningEvaluation b = PoisoningEvaluation.of(r.beforeUnlearning(), test, asrTest);
        say("  before unlearning: clean accuracy %.4f, attack success %.4f", b.cleanAccuracy(), b.attackSuccessRate());
        double[] acc = r.isolatedAccuracy();
        say("  anti-backdoor learning (%d+%d epochs, gamma %.2f, rate %.3f, %s, " + ablUnlearning + " weight " + ablWeight + " step " + ablStep + "): isolated %d, recall %.4f, precision"
                + " %.4f (by loss alone %.4f, class-relative %.4f); isolated accuracy %.3f -> %.3f in %d unlearning"
                + " steps; clean accuracy %.4f, attack success %.4f (%.0f s)", ablEpochs.get(0), ablEpochs.get(1),
                ablGamma, ablRate, ablRanking, s.flagged(), s.recall(), s.precision(),
                precisionOfLowest(r.isolation().scores(), poisoned.labels(), truth, s.flagged(), false),
                precisionOfLowest(r.isolation().scores(), poisoned.labels(), truth, s.flagged(), true), acc[0],
                acc[acc.length - 1], r.unlearningSteps(), a.cleanAccuracy(), a.attackSuccessRate(), secs);
        r.isolation().classes().forEach(c -> say("    class %d: isolated %d of %d, %s", c.label(), c.flagged(),
                c.examples(), c.figures()));
        row(fmt("| %s | %d | %.4f | %.4f | ABL %d+%d, gamma %.2f, rate %.3f, " + ablRanking + ", " + ablUnlearning + " " + ablWeight + ", step " + ablStep + " | %d | %.3f | %.3f | - | %.4f | %.4f | %.0f"
                + " (training) |", cell, p == null ? 0 : p.poisoned().length, e.cleanAccuracy(), e.attackSuccessRate(),
                ablEpochs.get(0), ablEpochs.get(1), ablGamma, ablRate, s.flagged(), s.recall(), s.precision(),
                a.cleanAccuracy(), a.attackSuccessRate(), secs));
    }

    /**
     * The share of poison among the {@code k} examples of lowest loss ({@code scores} are negated
     * losses), or of lowest log-loss relative to the class median.
     */
    static double precisionOfLowest(double[] scores, int[] labels, boolean[] truth, int k, boolean classRelative) {
        double[] losses = new double[scores.length];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = -scores[i];
        }
        double[] key = AntiBackdoorLearning.rank(losses, labels, java.util.Arrays.stream(labels).max().orElse(0) + 1,
                classRelative ? AntiBackdoorLearning.Ranking.CLASS_RELATIVE : AntiBackdoorLearning.Ranking.LOSS);
        Integer[] order = new Integer[key.length];
        java.util.Arrays.setAll(order, i -> i);
        java.util.Arrays.sort(order, (a, b) -> Double.compare(key[a], key[b]));
        int hit = 0;
        for (int i = 0; i < k; i++) {
            hit += truth[order[i]] ? 1 : 0;
        }
        return k == 0 ? Double.NaN : (double) hit / k;
    }

    /** The largest share of poisoned examples among one class's examples. */
    static double largestShare(boolean[] truth, LabeledData d) {
        int[] poison = new int[d.numClasses()];
        int[] all = new int[d.numClasses()];
        for (int i = 0; i < truth.length; i++) {
            all[d.labels()[i]]++;
            poison[d.labels()[i]] += truth[i] ? 1 : 0;
        }
        double share = 0;
        for (int c = 0; c < all.length; c++) {
            share = Math.max(share, all[c] == 0 ? 0 : (double) poison[c] / all[c]);
        }
        return share;
    }

    private void row(String line) throws IOException {
        if (table != null) {
            if (!Files.exists(table)) {
                Files.writeString(table, "| cell | poisoned | clean acc | attack success | detector | flagged | recall"
                        + " | precision | classes judged poisoned | clean acc after | attack success after | seconds"
                        + " (+ activations) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            }
            Files.writeString(table, line + "\n", java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private static double mean(double[] v) {
        return org.apache.commons.math3.stat.StatUtils.mean(v);
    }

    /** Mean and sample standard deviation: "0.8812 ± 0.0031". */
    static String spread(double[] v) {
        return fmt("%.4f ± %.4f", mean(v), Math.sqrt(org.apache.commons.math3.stat.StatUtils.variance(v)));
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** For each class the poison came from (its label before the attack), how many poisoned examples were not flagged. */
    static int[] missedBySource(boolean[] flagged, boolean[] truth, int[] original, int classes) {
        int[] missed = new int[classes];
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] && !flagged[i]) {
                missed[original[i]]++;
            }
        }
        return missed;
    }

    /**
     * A diagnosis, not a detector: the recall of a detector's ranking within the target class if the
     * cut were set knowing the truth, to admit 60, 100 or 150 clean examples. What a better cut rule
     * could reach with the same scores; what no cut can, the scores do not separate.
     */
    private static void oracleRanking(ReferenceScores scores, int target, boolean[] truth, int[] original,
            int classes) {
        ReferenceScores.ClassScores c = scores.classes().stream().filter(k -> k.label() == target).findFirst()
                .orElse(null);
        if (c == null || c.train().length == 0) {
            return;
        }
        Integer[] order = new Integer[c.indices().length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(c.train()[b], c.train()[a]));
        int poison = Rows.where(truth, true).length;
        StringBuilder line = new StringBuilder();
        for (int cap : new int[] {60, 100, 150}) {
            boolean[] flagged = new boolean[truth.length];
            int hits = 0;
            int clean = 0;
            for (int r = 0; r < order.length; r++) {
                int i = c.indices()[order[r]];
                if (truth[i]) {
                    hits++;
                } else if (++clean > cap) {
                    break;
                }
                flagged[i] = true;
            }
            line.append(fmt(" %d: recall %.3f, missed by source %s;", cap, (double) hits / poison,
                    Arrays.toString(missedBySource(flagged, truth, original, classes))));
        }
        say("    ranking of class %d with a cut set knowing the truth, at most N clean flagged:%s", target, line);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(fmt(format, args));
        System.out.flush();
    }
}
