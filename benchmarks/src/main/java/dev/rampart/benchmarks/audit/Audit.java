package dev.rampart.benchmarks.audit;

import dev.rampart.attacks.evaluation.AutoAttack;
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

    /** Runs the audit on models and data already loaded. */
    public static AuditReport run(AuditConfig config, List<ModelSource.Loaded> models, DataSource.Loaded data,
            Progress progress) {
        long start = System.nanoTime();
        List<AuditReport.ModelResult> results = new ArrayList<>();
        for (ModelSource.Loaded m : models) {
            results.add(audit(config, m, data.data(), progress));
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

    private static AuditReport.ModelResult audit(AuditConfig config, ModelSource.Loaded loaded, LabeledData data,
            Progress progress) {
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
        for (AuditConfig.AttackKind kind : config.attacks()) {
            List<Outcome> outcomes = new ArrayList<>();
            if (kind == AuditConfig.AttackKind.AUTOATTACK) {
                for (double eps : epsilons) {
                    progress.start(loaded.name() + ": AutoAttack at " + Numbers.epsilon(eps));
                    AutoAttack aa = AutoAttack.builder(model).norm(config.norm()).epsilon(eps)
                            .squareQueries(config.squareQueries()).batchSize(config.batchSize()).seed(config.seed())
                            .build();
                    RobustnessReport r = aa.evaluate(x, labels);
                    for (MaskingWarning w : r.warnings()) {
                        warnings.add("epsilon " + Numbers.epsilon(eps) + ": " + w.check() + ": " + w.message());
                    }
                    outcomes.add(new Outcome("AutoAttack", eps, r.robust(), r.worstCase(),
                            perturbationNorms(config, r.worstCase(), x), r.seconds(), String.join(", ",
                                    aa.attacks().stream().map(EvasionAttack::name).toList())));
                    progress.done(1);
                }
            } else {
                EvasionAttack attack = attack(kind, model, config, epsilons[0]);
                if (attack instanceof MinimumNormAttack<?>) {
                    progress.start(loaded.name() + ": " + attack.name() + " (all budgets)");
                    EpsilonSweep sweep = attack.sweep(x, AttackGoal.untargeted(labels), epsilons);
                    for (int k = 0; k < epsilons.length; k++) {
                        outcomes.add(Outcome.of(sweep.at(k)));
                    }
                    progress.done(epsilons.length);
                } else {
                    for (double eps : epsilons) {
                        EvasionAttack a = attack.withEpsilon(eps);
                        progress.start(loaded.name() + ": " + a.name() + " at " + Numbers.epsilon(eps));
                        outcomes.add(Outcome.of(a.run(x, AttackGoal.untargeted(labels))));
                        progress.done(1);
                    }
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

        static Outcome of(EvasionResult r) {
            boolean[] robust = new boolean[r.size()];
            for (int i = 0; i < robust.length; i++) {
                robust[i] = r.robust(i);
            }
            return new Outcome(r.attack(), r.epsilon(), robust, r.adversarial(), r.perturbationNorm(), r.seconds(),
                    r.config().toString());
        }
    }

    private record Candidate(Outcome outcome, int robust) {
    }

    private static double[] perturbationNorms(AuditConfig config, INDArray adversarial, INDArray x) {
        return config.norm().perExample(adversarial.sub(x));
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

    private static EvasionAttack attack(AuditConfig.AttackKind kind, GradientClassifier model, AuditConfig c,
            double eps) {
        return switch (kind) {
            case FGSM -> Fgsm.builder(model).norm(c.norm()).epsilon(eps).batchSize(c.batchSize()).build();
            case PGD -> Pgd.builder(model).norm(c.norm()).epsilon(eps).steps(c.pgdSteps())
                    .restarts(c.pgdRestarts()).earlyStop(true).batchSize(c.batchSize()).seed(c.seed()).build();
            case MIFGSM -> MiFgsm.builder(model).norm(c.norm()).epsilon(eps).steps(AuditConfig.MIFGSM_STEPS)
                    .batchSize(c.batchSize()).build();
            case APGD_CE -> Apgd.builder(model).norm(c.norm()).epsilon(eps).steps(AuditConfig.APGD_STEPS)
                    .batchSize(c.batchSize()).seed(c.seed()).build();
            case APGD_T -> Apgd.builder(model).norm(c.norm()).epsilon(eps).steps(AuditConfig.APGD_STEPS)
                    .loss(Apgd.Loss.DLR).targetClasses(Math.min(9, model.numClasses() - 1))
                    .batchSize(c.batchSize()).seed(c.seed()).build();
            case CW -> CarliniWagner.builder(model).batchSize(c.batchSize()).build();
            case DEEPFOOL -> DeepFool.builder(model).norm(c.norm()).build();
            case SQUARE -> Square.builder(model).norm(c.norm()).epsilon(eps).queries(c.squareQueries())
                    .batchSize(c.batchSize()).seed(c.seed()).build();
            case AUTOATTACK -> throw new IllegalStateException("AutoAttack is run as an ensemble");
        };
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
