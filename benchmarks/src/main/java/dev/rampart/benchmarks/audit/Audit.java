package dev.rampart.benchmarks.audit;

import dev.rampart.attacks.evaluation.AutoAttack;
import dev.rampart.attacks.evaluation.GradientMaskingChecks;
import dev.rampart.attacks.evaluation.MaskingWarning;
import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.CarliniWagner;
import dev.rampart.attacks.evasion.DeepFool;
import dev.rampart.attacks.evasion.EpsilonSweep;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.MiFgsm;
import dev.rampart.attacks.evasion.MinimumNormAttack;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.benchmarks.data.DataSource;
import dev.rampart.benchmarks.models.ModelSource;
import dev.rampart.benchmarks.report.Progress;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import dev.rampart.core.report.Provenance;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A robustness audit: measures clean accuracy of one or more models, runs every attack at every
 * budget on every model and reports robust accuracy side by side, with 95% Wilson intervals, per
 * class, and the per-example worst case over attacks. Bounded attacks run once per budget;
 * minimum-norm attacks (C&amp;W, DeepFool) run once and are held to each budget;
 * {@code autoattack} runs the {@link AutoAttack} ensemble with its gradient-masking checks, whose
 * warnings join the report. PGD runs with early stopping: an example leaves the loop once fooled
 * and keeps the point that fooled the model.
 *
 * <pre>{@code
 * AuditReport report = Audit.run(AuditConfig.defaults(), null);
 * System.out.print(ConsoleReport.table(report));
 * }</pre>
 */
public final class Audit {

    private static final double CONFIDENCE = 0.95;

    private Audit() {
    }

    /**
     * Loads the configured data and models, then runs the audit.
     *
     * @param progressOut where to draw progress, or {@code null}
     * @throws IOException if a model or the data cannot be read (the message names the file)
     */
    public static AuditReport run(AuditConfig config, PrintStream progressOut) throws IOException {
        DataSource.Loaded data = loadData(config);
        List<ModelSource.Loaded> models = new ArrayList<>();
        for (String m : config.models()) {
            models.add(ModelSource.load(m, config.input(), DataSource.exampleShape(data)));
        }
        return run(config, models, data, new Progress(progressOut, units(config), false));
    }

    /**
     * The configured test data, with exactly {@code samples} examples.
     *
     * @throws IOException naming the file and what is wrong with it
     * @throws IllegalArgumentException if the data holds fewer examples than asked for
     */
    public static DataSource.Loaded loadData(AuditConfig config) throws IOException {
        DataSource.Loaded data = DataSource.load(config.data(), config.samples());
        if (data.data().size() < config.samples()) {
            throw new IllegalArgumentException("--samples is " + config.samples() + " but " + data.data().name()
                    + " has only " + data.data().size() + " examples");
        }
        return data;
    }

    /** The units of work {@link Progress} counts: one per model, attack and budget. */
    public static long units(AuditConfig config) {
        return (long) config.models().size() * config.attacks().size() * config.epsilons().length;
    }

    /** Runs the audit on models and data already loaded, in this JVM. */
    public static AuditReport run(AuditConfig config, List<ModelSource.Loaded> models, DataSource.Loaded data,
            Progress progress) {
        List<Target> targets = new ArrayList<>();
        for (ModelSource.Loaded m : models) {
            targets.add(new Target(m.name(), m.description(), m.model(), null));
        }
        return run(config, targets, data, progress, ChunkRunner.LOCAL);
    }

    /**
     * A model to audit: as loaded here, and how another JVM loads it ({@code ref}, needed by
     * runners other than {@link ChunkRunner#LOCAL}).
     */
    public record Target(String name, String description, GradientClassifier model, ChunkRunner.ModelRef ref) {
    }

    /** Runs the audit with {@code runner} evaluating the chunks. */
    public static AuditReport run(AuditConfig config, List<Target> models, DataSource.Loaded data, Progress progress,
            ChunkRunner runner) {
        long start = System.nanoTime();
        List<AuditReport.ModelResult> results = new ArrayList<>();
        for (Target m : models) {
            results.add(audit(config, m, data.data(), progress, runner));
        }
        progress.finish();
        return new AuditReport(results, data.data().name(), data.data().size(), data.classNames(), config,
                (System.nanoTime() - start) / 1e9, Provenance.current());
    }

    /** The data as the model takes it: channels last or reshaped if the options say so. */
    public static INDArray modelInput(AuditConfig config, INDArray x, GradientClassifier model) {
        INDArray in = x;
        if (config.input().channelsLast() && x.rank() == 4) {
            in = x.permute(0, 2, 3, 1).dup('c');
        }
        long[] want = model.inputShape();
        long per = in.length() / in.size(0);
        long wantPer = Arrays.stream(want).reduce(1, (a, b) -> a * b);
        if (!Arrays.equals(Arrays.copyOfRange(in.shape(), 1, in.rank()), want)) {
            if (per != wantPer) {
                throw new IllegalArgumentException("the data's examples have shape " + Arrays.toString(
                        Arrays.copyOfRange(in.shape(), 1, in.rank())) + " (" + per + " values) but --input-shape is "
                        + Arrays.toString(want) + " (" + wantPer + " values)");
            }
            long[] shape = new long[want.length + 1];
            shape[0] = in.size(0);
            System.arraycopy(want, 0, shape, 1, want.length);
            in = in.reshape('c', shape);
        }
        return in;
    }

    private static AuditReport.ModelResult audit(AuditConfig config, Target loaded, LabeledData data,
            Progress progress, ChunkRunner runner) {
        GradientClassifier model = loaded.model();
        INDArray x = modelInput(config, data.features(), model);
        int[] labels = data.labels();
        int n = labels.length;
        int classes = data.numClasses();
        INDArray probabilities = model.predictProbabilities(x);
        int[] clean = Labels.argmax(probabilities);
        boolean[] correct = new boolean[n];
        int[] classTotal = new int[classes];
        int[] classCorrect = new int[classes];
        for (int i = 0; i < n; i++) {
            correct[i] = clean[i] == labels[i];
            classTotal[labels[i]]++;
            classCorrect[labels[i]] += correct[i] ? 1 : 0;
        }
        int correctCount = Metrics.count(correct);
        double[] epsilons = config.epsilons();
        boolean[][] robustToAll = new boolean[epsilons.length][];
        for (int k = 0; k < epsilons.length; k++) {
            robustToAll[k] = correct.clone();
        }
        List<AuditReport.Row> rows = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Candidate gallery = null;
        int middle = epsilons.length / 2;
        List<ChunkRunner.Chunk> chunks = chunks(x, labels, config.batchSize());
        ChunkRunner.ModelRef ref = loaded.ref();
        for (AuditConfig.AttackKind kind : config.attacks()) {
            List<Outcome> outcomes = new ArrayList<>();
            AttackSpec spec = AttackSpec.of(kind, config);
            if (kind == AuditConfig.AttackKind.AUTOATTACK) {
                for (double eps : epsilons) {
                    progress.start(loaded.name() + ": AutoAttack at " + Numbers.epsilon(eps));
                    long t0 = System.nanoTime();
                    List<ChunkOutcome> parts = runner.map(model, ref, chunks, (m, c) -> ChunkOutcome.autoAttack(spec,
                            eps, m, c));
                    Outcome o = merge(parts, eps, x, (System.nanoTime() - t0) / 1e9);
                    RobustnessReport merged = ensemble(parts, o, config, eps, labels);
                    for (MaskingWarning w : GradientMaskingChecks.builder(model).norm(config.norm()).epsilon(eps)
                            .samples(AUTOATTACK_CHECK_SAMPLES).seed(config.seed()).build().run(x, labels, merged)) {
                        warnings.add("epsilon " + Numbers.epsilon(eps) + ": " + w.check() + ": " + w.message());
                    }
                    outcomes.add(o);
                    progress.done(1);
                }
            } else if (spec.attack(model, epsilons[0]) instanceof MinimumNormAttack<?> once) {
                progress.start(loaded.name() + ": " + once.name() + " (all budgets)");
                long t0 = System.nanoTime();
                List<ChunkOutcomes> parts = runner.map(model, ref, chunks, (m, c) -> ChunkOutcomes.sweep(spec, epsilons,
                        m, c));
                double secs = (System.nanoTime() - t0) / 1e9;
                for (int k = 0; k < epsilons.length; k++) {
                    int at = k;
                    outcomes.add(merge(parts.stream().map(p -> p.list().get(at)).toList(), epsilons[k], x, secs));
                }
                progress.done(epsilons.length);
            } else {
                for (double eps : epsilons) {
                    progress.start(loaded.name() + ": " + spec.attack(model, eps).name() + " at "
                            + Numbers.epsilon(eps));
                    long t0 = System.nanoTime();
                    List<ChunkOutcome> parts = runner.map(model, ref, chunks, (m, c) -> ChunkOutcome.of(
                            spec.attack(m, eps).run(c.features(), AttackGoal.untargeted(c.labels()), c.indices())));
                    outcomes.add(merge(parts, eps, x, (System.nanoTime() - t0) / 1e9));
                    progress.done(1);
                }
            }
            for (int k = 0; k < epsilons.length; k++) {
                Outcome o = outcomes.get(k);
                for (int i = 0; i < n; i++) {
                    robustToAll[k][i] &= o.robust()[i];
                }
                rows.add(row(o, kind.option(), correct, labels, classes));
                if (k == middle && (gallery == null || Metrics.count(o.robust()) < gallery.robust())) {
                    gallery = new Candidate(o, Metrics.count(o.robust()));
                }
            }
        }
        for (int k = 0; k < epsilons.length; k++) {
            Outcome worst = new Outcome("worst case", epsilons[k], robustToAll[k], null, new double[n], Double.NaN,
                    "each example's worst case over the attacks above");
            rows.add(row(worst, AuditReport.WORST_CASE, correct, labels, classes));
        }
        List<AuditReport.GalleryItem> items = gallery == null ? List.of()
                : gallery(config, model, data, x, probabilities, correct, gallery.outcome());
        double[] cleanCi = Metrics.wilson(correctCount, n, CONFIDENCE);
        return new AuditReport.ModelResult(loaded.name(), loaded.description(), correctCount, (double) correctCount / n,
                cleanCi, classTotal, classCorrect, rows, warnings, items);
    }

    /** One attack at one budget, per example. */
    private record Outcome(String attack, double epsilon, boolean[] robust, INDArray adversarial, double[] norms,
            double seconds, String settings) {
    }

    private record Candidate(Outcome outcome, int robust) {
    }

    private static AuditReport.Row row(Outcome o, String option, boolean[] correct, int[] labels, int classes) {
        int n = labels.length;
        int robust = Metrics.count(o.robust());
        int[] classRobust = new int[classes];
        int fooled = 0;
        int correctCount = 0;
        List<Double> norms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            classRobust[labels[i]] += o.robust()[i] ? 1 : 0;
            if (correct[i]) {
                correctCount++;
                if (!o.robust()[i]) {
                    fooled++;
                    norms.add(o.norms()[i]);
                }
            }
        }
        norms.sort(null);
        double median = norms.isEmpty() ? Double.NaN : norms.size() % 2 == 1 ? norms.get(norms.size() / 2)
                : (norms.get(norms.size() / 2 - 1) + norms.get(norms.size() / 2)) / 2;
        double success = correctCount == 0 ? Double.NaN : (double) fooled / correctCount;
        return new AuditReport.Row(o.attack(), option, o.epsilon(), robust, n, (double) robust / n,
                Metrics.wilson(robust, n, CONFIDENCE), success, option.equals(AuditReport.WORST_CASE) ? Double.NaN
                        : median, o.seconds(), classRobust, o.settings());
    }

    /**
     * Up to {@code config.gallery()} examples the model classified correctly and the attack
     * fooled, one class after another, with the gradient saliency of each clean input.
     */
    private static List<AuditReport.GalleryItem> gallery(AuditConfig config, GradientClassifier model,
            LabeledData data, INDArray x, INDArray probabilities, boolean[] correct, Outcome o) {
        if (o.adversarial() == null || config.gallery() == 0) {
            return List.of();
        }
        int[] labels = data.labels();
        List<Integer> chosen = new ArrayList<>();
        boolean[] classTaken = new boolean[data.numClasses()];
        for (int pass = 0; pass < 2 && chosen.size() < config.gallery(); pass++) {
            for (int i = 0; i < labels.length && chosen.size() < config.gallery(); i++) {
                if (correct[i] && !o.robust()[i] && !chosen.contains(i) && (pass == 1 || !classTaken[labels[i]])) {
                    chosen.add(i);
                    classTaken[labels[i]] = true;
                }
            }
        }
        if (chosen.isEmpty()) {
            return List.of();
        }
        int[] idx = chosen.stream().mapToInt(Integer::intValue).toArray();
        INDArray adv = Rows.gather(o.adversarial(), idx);
        INDArray advProbabilities = model.predictProbabilities(adv);
        INDArray grad = Transforms.abs(model.lossGradient(Rows.gather(x, idx),
                Labels.oneHot(Rows.pick(labels, idx), model.numClasses()).castTo(model.dataType())), false);
        boolean last = config.input().channelsLast() && x.rank() == 4;
        long[] shape = Arrays.copyOfRange(data.features().shape(), 1, data.features().rank());
        List<AuditReport.GalleryItem> items = new ArrayList<>();
        for (int k = 0; k < idx.length; k++) {
            int i = idx[k];
            float[] cleanImage = Rows.gather(data.features(), new int[] {i}).castTo(DataType.FLOAT).data().asFloat();
            float[] advImage = layout(adv, k, last, shape);
            float[] saliency = layout(grad, k, last, shape);
            int advClass = Labels.argmax(advProbabilities)[k];
            items.add(new AuditReport.GalleryItem(i, labels[i], labels[i], probabilities.getDouble(i, labels[i]),
                    advClass, advProbabilities.getDouble(k, advClass), o.attack(), o.epsilon(), shape, cleanImage,
                    advImage, saliency));
        }
        return items;
    }

    /** Example {@code k} of {@code a}, back in the data's channels-first layout, as floats. */
    private static float[] layout(INDArray a, int k, boolean channelsLast, long[] shape) {
        INDArray one = Rows.gather(a, new int[] {k});
        if (channelsLast) {
            one = one.permute(0, 3, 1, 2);
        }
        return one.castTo(DataType.FLOAT).dup('c').reshape(shape).data().asFloat();
    }

    /** The AutoAttack ensemble's default number of examples for the gradient-masking checks. */
    private static final int AUTOATTACK_CHECK_SAMPLES = 200;

    /** The attack settings an executor needs: serializable, without the configuration's paths. */
    record AttackSpec(AuditConfig.AttackKind kind, dev.rampart.core.norm.Norm norm, int pgdSteps, int pgdRestarts,
            int squareQueries, int batchSize, long seed) implements java.io.Serializable {

        static AttackSpec of(AuditConfig.AttackKind kind, AuditConfig c) {
            return new AttackSpec(kind, c.norm(), c.pgdSteps(), c.pgdRestarts(), c.squareQueries(), c.batchSize(),
                    c.seed());
        }

        EvasionAttack attack(GradientClassifier model, double eps) {
            return switch (kind) {
                case FGSM -> Fgsm.builder(model).norm(norm).epsilon(eps).batchSize(batchSize).build();
                case PGD -> Pgd.builder(model).norm(norm).epsilon(eps).steps(pgdSteps).restarts(pgdRestarts)
                        .earlyStop(true).batchSize(batchSize).seed(seed).build();
                case MIFGSM -> MiFgsm.builder(model).norm(norm).epsilon(eps).steps(AuditConfig.MIFGSM_STEPS)
                        .batchSize(batchSize).build();
                case APGD_CE -> Apgd.builder(model).norm(norm).epsilon(eps).steps(AuditConfig.APGD_STEPS)
                        .batchSize(batchSize).seed(seed).build();
                case APGD_T -> Apgd.builder(model).norm(norm).epsilon(eps).steps(AuditConfig.APGD_STEPS)
                        .loss(Apgd.Loss.DLR).targetClasses(Math.min(9, model.numClasses() - 1))
                        .batchSize(batchSize).seed(seed).build();
                case CW -> CarliniWagner.builder(model).batchSize(batchSize).build();
                case DEEPFOOL -> DeepFool.builder(model).norm(norm).build();
                case SQUARE -> Square.builder(model).norm(norm).epsilon(eps).queries(squareQueries)
                        .batchSize(batchSize).seed(seed).build();
                case AUTOATTACK -> throw new IllegalStateException("AutoAttack is run as an ensemble");
            };
        }
    }

    /** The chunks of {@code size} consecutive examples of {@code x} (the model's input layout), in order. */
    public static List<ChunkRunner.Chunk> chunks(INDArray x, int[] labels, int size) {
        float[] all = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int per = all.length / labels.length;
        List<ChunkRunner.Chunk> out = new ArrayList<>();
        for (int from = 0; from < labels.length; from += size) {
            int to = Math.min(labels.length, from + size);
            long[] shape = x.shape().clone();
            shape[0] = to - from;
            out.add(new ChunkRunner.Chunk(from, shape, Arrays.copyOfRange(all, from * per, to * per),
                    Arrays.copyOfRange(labels, from, to)));
        }
        return out;
    }

    /** One attack at one budget on one chunk; for AutoAttack also its steps. */
    record ChunkOutcome(String attack, String settings, boolean[] robust, double[] norms, float[] adversarial,
            String[] stepNames, boolean[] stepQueryOnly, int[] stepAttacked, int[] stepBroken)
            implements java.io.Serializable {

        static ChunkOutcome of(EvasionResult r) {
            boolean[] robust = new boolean[r.size()];
            for (int i = 0; i < robust.length; i++) {
                robust[i] = r.robust(i);
            }
            return new ChunkOutcome(r.attack(), r.config().toString(), robust, r.perturbationNorm(),
                    r.adversarial().castTo(DataType.FLOAT).dup('c').data().asFloat(), null, null, null, null);
        }

        static ChunkOutcome autoAttack(AttackSpec spec, double eps, GradientClassifier model, ChunkRunner.Chunk c) {
            AutoAttack aa = AutoAttack.builder(model).norm(spec.norm()).epsilon(eps).squareQueries(spec.squareQueries())
                    .batchSize(spec.batchSize()).seed(spec.seed()).maskingChecks(false).build();
            INDArray x = c.features();
            RobustnessReport r = aa.evaluate(x, c.labels(), c.indices());
            List<RobustnessReport.Step> steps = r.steps();
            return new ChunkOutcome("AutoAttack", String.join(", ", aa.attacks().stream().map(EvasionAttack::name)
                    .toList()), r.robust(), spec.norm().perExample(r.worstCase().sub(x)),
                    r.worstCase().castTo(DataType.FLOAT).dup('c').data().asFloat(),
                    steps.stream().map(RobustnessReport.Step::attack).toArray(String[]::new),
                    toBooleans(steps.stream().map(RobustnessReport.Step::queryOnly).toList()),
                    steps.stream().mapToInt(RobustnessReport.Step::attacked).toArray(),
                    steps.stream().mapToInt(RobustnessReport.Step::broken).toArray());
        }

        private static boolean[] toBooleans(List<Boolean> list) {
            boolean[] out = new boolean[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = list.get(i);
            }
            return out;
        }
    }

    /** A minimum-norm attack's outcomes on one chunk, one per budget. */
    record ChunkOutcomes(List<ChunkOutcome> list) implements java.io.Serializable {
        static ChunkOutcomes sweep(AttackSpec spec, double[] epsilons, GradientClassifier model, ChunkRunner.Chunk c) {
            EvasionAttack attack = spec.attack(model, epsilons[0]);
            EpsilonSweep s = attack.sweep(c.features(), AttackGoal.untargeted(c.labels()), epsilons);
            List<ChunkOutcome> out = new ArrayList<>();
            for (int k = 0; k < epsilons.length; k++) {
                out.add(ChunkOutcome.of(s.at(k)));
            }
            return new ChunkOutcomes(new ArrayList<>(out));
        }
    }

    /** The chunks' outcomes, concatenated in order, as one outcome on the whole set. */
    private static Outcome merge(List<ChunkOutcome> parts, double eps, INDArray x, double seconds) {
        int n = (int) x.size(0);
        boolean[] robust = new boolean[n];
        double[] norms = new double[n];
        float[] adv = new float[(int) x.length()];
        int at = 0;
        int flat = 0;
        for (ChunkOutcome p : parts) {
            System.arraycopy(p.robust(), 0, robust, at, p.robust().length);
            System.arraycopy(p.norms(), 0, norms, at, p.norms().length);
            System.arraycopy(p.adversarial(), 0, adv, flat, p.adversarial().length);
            at += p.robust().length;
            flat += p.adversarial().length;
        }
        INDArray adversarial = org.nd4j.linalg.factory.Nd4j.create(adv, x.shape(), 'c').castTo(x.dataType());
        return new Outcome(parts.get(0).attack(), eps, robust, adversarial, norms, seconds, parts.get(0).settings());
    }

    /** The AutoAttack report of the whole set, from its chunks' steps, for the gradient-masking checks. */
    private static RobustnessReport ensemble(List<ChunkOutcome> parts, Outcome o, AuditConfig config, double eps,
            int[] labels) {
        ChunkOutcome first = parts.get(0);
        int steps = first.stepNames().length;
        int n = labels.length;
        int clean = 0;
        List<RobustnessReport.Step> merged = new ArrayList<>();
        int robustLeft = 0;
        int[] attacked = new int[steps];
        int[] broken = new int[steps];
        for (ChunkOutcome p : parts) {
            for (int s = 0; s < steps; s++) {
                attacked[s] += p.stepAttacked()[s];
                broken[s] += p.stepBroken()[s];
            }
            clean += p.stepAttacked()[0];
        }
        robustLeft = clean;
        for (int s = 0; s < steps; s++) {
            robustLeft -= broken[s];
            merged.add(new RobustnessReport.Step(first.stepNames()[s], first.stepQueryOnly()[s], attacked[s], broken[s],
                    (double) robustLeft / n, o.seconds()));
        }
        String[] brokenBy = new String[n];
        return new RobustnessReport(config.norm(), eps, n, (double) clean / n, merged, o.robust(), brokenBy,
                o.adversarial(), List.of(), o.seconds(), config.seed(), Provenance.current());
    }

    /** Number formats shared by the reports. */
    public static final class Numbers {

        private Numbers() {
        }

        /** A budget as written on the command line: 0.05, 0.1, 8/255 as 0.031372549. */
        public static String epsilon(double eps) {
            return new java.math.BigDecimal(Double.toString(eps)).round(new java.math.MathContext(8))
                    .stripTrailingZeros().toPlainString();
        }

        /** A share as a percentage with one decimal. */
        public static String percent(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
        }

        /** A value rounded to {@code digits} decimals, for JSON without float noise. */
        public static double round(double v, int digits) {
            if (!Double.isFinite(v)) {
                return v;
            }
            return new java.math.BigDecimal(v).setScale(digits, java.math.RoundingMode.HALF_EVEN).doubleValue();
        }
    }
}
