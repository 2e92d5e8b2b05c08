package dev.rampart.benchmarks.audit;

import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.MiFgsm;
import dev.rampart.attacks.evasion.Pgd;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A robustness audit: loads a model and test data, measures clean accuracy, runs every attack at
 * every budget and reports robust accuracy, with the per-example worst case over attacks.
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
     * @throws IOException if the model or data cannot be read (the message names the file)
     */
    public static AuditReport run(AuditConfig config, PrintStream progressOut) throws IOException {
        long start = System.nanoTime();
        GradientClassifier model = config.modelFile() == null ? BundledModels.referenceCnn()
                : MultiLayerNetworkModel.of(ModelFiles.loadMultiLayerNetwork(config.modelFile()),
                        ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        LabeledData data = (config.dataDir() == null ? FashionMnist.bundledTest()
                : FashionMnist.load(config.dataDir(), FashionMnist.Split.TEST, config.samples()))
                .head(config.samples());
        if (data.size() < config.samples()) {
            throw new IllegalArgumentException("samples is " + config.samples() + " but " + data.name() + " has only "
                    + data.size() + " test examples");
        }
        List<EvasionAttack> attacks = attacks(model, config);
        double[] epsilons = config.epsilons();
        long perEps = 0;
        for (EvasionAttack a : attacks) {
            perEps += cost(a, config) * data.size();
        }
        Progress progress = new Progress(progressOut, perEps * epsilons.length);

        int[] labels = data.labels();
        int[] clean = model.predictClasses(data.features());
        double cleanAccuracy = Metrics.accuracy(clean, labels);
        List<AuditReport.Row> rows = new ArrayList<>();
        for (double eps : epsilons) {
            boolean[] robustToAll = new boolean[labels.length];
            Arrays.fill(robustToAll, true);
            for (EvasionAttack base : attacks) {
                EvasionAttack attack = base.withEpsilon(eps);
                progress.advance(0, attack.name() + " eps=" + eps);
                EvasionResult r = attack.run(data.features(), labels);
                progress.advance(cost(base, config) * data.size(), attack.name() + " eps=" + eps);
                for (int i = 0; i < labels.length; i++) {
                    robustToAll[i] &= r.robust(i);
                }
                rows.add(new AuditReport.Row(attack.name(), eps, r.robustAccuracy(), r.successRate(),
                        Arrays.stream(r.perturbationNorm()).average().orElse(0), r.seconds()));
            }
            int robust = 0;
            for (boolean b : robustToAll) {
                robust += b ? 1 : 0;
            }
            double worst = (double) robust / labels.length;
            rows.add(new AuditReport.Row(AuditReport.WORST_CASE, eps, worst, 1 - worst, Double.NaN, Double.NaN));
        }
        progress.finish();
        String modelName = config.modelFile() == null ? "bundled reference CNN (Fashion-MNIST)"
                : config.modelFile().toString();
        AuditReport report = new AuditReport(modelName, data.name(), data.size(), cleanAccuracy, rows, config,
                (System.nanoTime() - start) / 1e9, Provenance.current());
        if (config.output() != null) {
            if (config.output().toAbsolutePath().getParent() != null) {
                Files.createDirectories(config.output().toAbsolutePath().getParent());
            }
            Files.writeString(config.output(), report.json());
        }
        return report;
    }

    private static List<EvasionAttack> attacks(GradientClassifier model, AuditConfig config) {
        double firstEps = config.epsilons()[0];
        List<EvasionAttack> list = new ArrayList<>();
        for (AuditConfig.AttackKind kind : config.attacks()) {
            list.add(switch (kind) {
                case FGSM -> Fgsm.builder(model).norm(config.norm()).epsilon(firstEps).batchSize(config.batchSize())
                        .build();
                case PGD -> Pgd.builder(model).norm(config.norm()).epsilon(firstEps).steps(config.pgdSteps())
                        .restarts(config.pgdRestarts()).earlyStop(true).batchSize(config.batchSize())
                        .seed(config.seed()).build();
                case MIFGSM -> MiFgsm.builder(model).norm(config.norm()).epsilon(firstEps)
                        .steps(AuditConfig.MIFGSM_STEPS).batchSize(config.batchSize()).build();
            });
        }
        return list;
    }

    /** Gradient passes per example, for the progress bar. */
    private static long cost(EvasionAttack a, AuditConfig config) {
        if (a instanceof Pgd) {
            return (long) config.pgdSteps() * config.pgdRestarts();
        }
        return a instanceof MiFgsm ? AuditConfig.MIFGSM_STEPS : 1;
    }
}
