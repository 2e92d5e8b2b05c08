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
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ModelFiles;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.core.report.Progress;
import dev.rampart.core.report.Provenance;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A robustness audit: loads one or more models and test data, measures clean accuracy, runs every
 * attack at every budget on every model and reports robust accuracy side by side, with the
 * per-example worst case over attacks. Each attack runs as one {@link EvasionAttack#sweep} over
 * the budgets (a single run for minimum-norm attacks); {@code autoattack} runs the
 * {@link AutoAttack} ensemble with its gradient-masking checks, whose warnings join the report.
 *
 * <p>PGD runs with early stopping: an example leaves the loop once fooled and keeps the point that
 * fooled the model, which saves time.
 *
 * <pre>{@code
 * AuditReport report = Audit.run(AuditConfig.defaults(), System.err);
 * System.out.print(report.table());
 * }</pre>
 */
public final class Audit {

    private Audit() {
    }

    /**
     * Runs the audit described by {@code config}.
     *
     * @param progressOut where to draw a progress bar, or {@code null}
     * @throws IOException if a model or the data cannot be read (the message names the file)
     */
    public static AuditReport run(AuditConfig config, PrintStream progressOut) throws IOException {
        long start = System.nanoTime();
        List<GradientClassifier> models = new ArrayList<>();
        for (String m : config.models()) {
            models.add(load(m));
        }
        LabeledData data = (config.dataDir() == null ? FashionMnist.bundledTest()
                : FashionMnist.load(config.dataDir(), FashionMnist.Split.TEST, config.samples()))
                .head(config.samples());
        if (data.size() < config.samples()) {
            throw new IllegalArgumentException("samples is " + config.samples() + " but " + data.name() + " has only "
                    + data.size() + " test examples");
        }
        double[] epsilons = config.epsilons();
        Progress progress = new Progress(progressOut,
                (long) models.size() * config.attacks().size() * epsilons.length);
        int[] labels = data.labels();
        List<AuditReport.ModelResult> results = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            GradientClassifier model = models.get(m);
            double cleanAccuracy = Metrics.accuracy(model.predictClasses(data.features()), labels);
            boolean[][] robustToAll = new boolean[epsilons.length][labels.length];
            for (boolean[] row : robustToAll) {
                Arrays.fill(row, true);
            }
            List<AuditReport.Row> rows = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            for (AuditConfig.AttackKind kind : config.attacks()) {
                String label = config.models().get(m) + " " + kind.option();
                progress.advance(0, label);
                if (kind == AuditConfig.AttackKind.AUTOATTACK) {
                    for (int k = 0; k < epsilons.length; k++) {
                        RobustnessReport r = AutoAttack.builder(model).norm(config.norm()).epsilon(epsilons[k])
                                .squareQueries(config.squareQueries()).batchSize(config.batchSize())
                                .seed(config.seed()).build().evaluate(data.features(), labels);
                        for (int i = 0; i < labels.length; i++) {
                            robustToAll[k][i] &= r.robust()[i];
                        }
                        rows.add(new AuditReport.Row("AutoAttack", epsilons[k], r.robustAccuracy(),
                                1 - r.robustAccuracy(), Double.NaN, r.seconds()));
                        for (MaskingWarning w : r.warnings()) {
                            warnings.add(String.format(Locale.ROOT, "epsilon %.3g: %s: %s", epsilons[k], w.check(),
                                    w.message()));
                        }
                        progress.advance(1, label);
                    }
                    continue;
                }
                EvasionAttack attack = attack(kind, model, config, epsilons[0]);
                EpsilonSweep sweep = attack.sweep(data.features(), AttackGoal.untargeted(labels), epsilons);
                for (int k = 0; k < epsilons.length; k++) {
                    EvasionResult r = sweep.at(k);
                    for (int i = 0; i < labels.length; i++) {
                        robustToAll[k][i] &= r.robust(i);
                    }
                    rows.add(new AuditReport.Row(r.attack(), epsilons[k], r.robustAccuracy(), r.successRate(),
                            Arrays.stream(r.perturbationNorm()).average().orElse(0), r.seconds()));
                }
                progress.advance(epsilons.length, label);
            }
            for (int k = 0; k < epsilons.length; k++) {
                int robust = 0;
                for (boolean b : robustToAll[k]) {
                    robust += b ? 1 : 0;
                }
                double worst = (double) robust / labels.length;
                rows.add(new AuditReport.Row(AuditReport.WORST_CASE, epsilons[k], worst, 1 - worst, Double.NaN,
                        Double.NaN));
            }
            results.add(new AuditReport.ModelResult(describe(config.models().get(m)), cleanAccuracy, rows, warnings));
        }
        progress.finish();
        AuditReport report = new AuditReport(results, data.name(), data.size(), config,
                (System.nanoTime() - start) / 1e9, Provenance.current());
        if (config.output() != null) {
            if (config.output().toAbsolutePath().getParent() != null) {
                Files.createDirectories(config.output().toAbsolutePath().getParent());
            }
            Files.writeString(config.output(), report.json());
        }
        return report;
    }

    /**
     * The bundled model named {@code name} ({@code standard} or {@code robust}), or the DL4J
     * {@code MultiLayerNetwork} zip at that path, as a fresh copy.
     */
    public static MultiLayerNetworkModel load(String name) throws IOException {
        return switch (name) {
            case AuditConfig.STANDARD -> BundledModels.referenceCnn();
            case AuditConfig.ROBUST -> BundledModels.robustCnn();
            default -> MultiLayerNetworkModel.of(ModelFiles.loadMultiLayerNetwork(Path.of(name)),
                    ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        };
    }

    private static String describe(String name) {
        return switch (name) {
            case AuditConfig.STANDARD -> "standard CNN (bundled)";
            case AuditConfig.ROBUST -> "PGD-trained CNN (bundled)";
            default -> name;
        };
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
}
