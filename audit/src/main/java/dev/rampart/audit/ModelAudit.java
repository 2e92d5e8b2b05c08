package dev.rampart.audit;

import dev.rampart.attacks.evaluation.GradientMaskingChecks;
import dev.rampart.attacks.evaluation.MaskingWarning;
import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.MinimumNormSearch;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Labels;
import dev.rampart.defenses.certification.BoundCertificates;
import dev.rampart.defenses.certification.BoundPropagation;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One model's audit: clean accuracy, then every attack at every budget over the evaluation set's
 * chunks (through a {@link ChunkRunner}), the per-example worst case, AutoAttack's masking checks
 * and the gallery.
 */
final class ModelAudit {

    /** The AutoAttack ensemble's number of examples for the gradient-masking checks. */
    private static final int AUTOATTACK_CHECK_SAMPLES = 200;

    private ModelAudit() {
    }

    private record Candidate(Outcome outcome, int robust) {
    }

    /**
     * Verified accuracy by bound propagation at every budget, as rows after the worst case; a
     * verified example that an attack of the audit broke would be a broken certificate, and is
     * reported as a warning.
     */
    private static void certify(AuditConfig.AttackKind kind, AuditConfig config, Audit.Target target, INDArray x,
            int[] labels, boolean[] correct, int classes, boolean[][] robustToAll, List<AuditReport.Row> rows,
            List<String> warnings, AuditListener listener) {
        BoundPropagation.Method method = BoundPropagation.Method.valueOf(kind.name());
        double[] epsilons = config.epsilons();
        listener.start(target.name() + ": " + method.label() + " certificates");
        BoundPropagation bp;
        try {
            bp = BoundPropagation.builder(target.model()).method(method).norm(config.norm())
                    .batchSize(Math.min(config.batchSize(), BoundPropagation.MAX_BATCH)).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model " + target.name() + ": " + kind.option() + ": " + e.getMessage(), e);
        }
        BoundCertificates c = bp.certify(x, labels, epsilons);
        boolean attacked = config.attacks().stream().anyMatch(k -> !k.certificate());
        for (int k = 0; k < epsilons.length; k++) {
            boolean[] verified = new boolean[labels.length];
            int broken = 0;
            for (int i = 0; i < labels.length; i++) {
                verified[i] = c.verified(k, i);
                broken += verified[i] && attacked && !robustToAll[k][i] ? 1 : 0;
            }
            if (broken > 0) {
                warnings.add("epsilon " + Numbers.epsilon(epsilons[k]) + ": " + broken + " examples verified by "
                        + method.label() + " were broken by an attack: the bounds are not sound for this model");
            }
            Outcome o = new Outcome(method.label() + " (verified)", epsilons[k], verified, null, new double[labels.length],
                    c.seconds() / epsilons.length, "bound propagation, " + config.norm() + " ball, a lower bound on"
                    + " robust accuracy");
            rows.add(ResultRows.row(o, kind.option(), correct, labels, classes));
        }
        listener.done(epsilons.length);
    }

    static AuditReport.ModelResult run(AuditConfig config, Audit.Target target, LabeledData data,
            AuditListener listener, ChunkRunner runner) {
        Classifier model = target.model();
        INDArray x = ModelInput.of(config.input().channelsLast(), data.features(), model);
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
        List<ChunkRunner.Chunk> chunks = ChunkRunner.cut(x, labels, config.batchSize());
        ShippedModel shipment = target.shipment();
        List<AuditConfig.AttackKind> certificates = config.attacks().stream().filter(AuditConfig.AttackKind::certificate)
                .toList();
        for (AuditConfig.AttackKind kind : config.attacks()) {
            if (kind.certificate()) {
                continue;
            }
            List<Outcome> outcomes = new ArrayList<>();
            AttackSettings spec = AttackSettings.of(kind, config);
            if (kind == AuditConfig.AttackKind.AUTOATTACK) {
                for (double eps : epsilons) {
                    listener.start(target.name() + ": AutoAttack at " + Numbers.epsilon(eps));
                    long t0 = System.nanoTime();
                    List<ChunkOutcome> parts = runner.map(model, shipment, chunks, (m, c) -> ChunkOutcome.autoAttack(spec,
                            eps, m, c));
                    Outcome o = Outcome.merge(parts, eps, x, (System.nanoTime() - t0) / 1e9);
                    RobustnessReport merged = EnsembleSteps.merge(parts, o, config.norm(), config.seed(), n);
                    for (MaskingWarning w : GradientMaskingChecks.builder(
                            dev.rampart.core.model.Capabilities.gradients(model, "AutoAttack")).norm(config.norm()).epsilon(eps)
                            .samples(AUTOATTACK_CHECK_SAMPLES).seed(config.seed()).build().run(x, labels, merged)) {
                        warnings.add("epsilon " + Numbers.epsilon(eps) + ": " + w.check() + ": " + w.message());
                    }
                    outcomes.add(o);
                    listener.done(1);
                }
            } else if (spec.attack(model, epsilons[0]) instanceof MinimumNormSearch once) {
                listener.start(target.name() + ": " + once.name() + " (all budgets)");
                long t0 = System.nanoTime();
                List<ChunkOutcome.Sweep> parts = runner.map(model, shipment, chunks, (m, c) -> ChunkOutcome.Sweep.of(spec,
                        epsilons, m, c));
                double secs = (System.nanoTime() - t0) / 1e9;
                for (int k = 0; k < epsilons.length; k++) {
                    int at = k;
                    outcomes.add(Outcome.merge(parts.stream().map(p -> p.list().get(at)).toList(), epsilons[k], x,
                            secs));
                }
                listener.done(epsilons.length);
            } else {
                for (double eps : epsilons) {
                    listener.start(target.name() + ": " + spec.attack(model, eps).name() + " at "
                            + Numbers.epsilon(eps));
                    long t0 = System.nanoTime();
                    List<ChunkOutcome> parts = runner.map(model, shipment, chunks, (m, c) -> ChunkOutcome.of(
                            spec.attack(m, eps).run(c.features(), AttackGoal.untargeted(c.labels()), c.indices())));
                    outcomes.add(Outcome.merge(parts, eps, x, (System.nanoTime() - t0) / 1e9));
                    listener.done(1);
                }
            }
            for (int k = 0; k < epsilons.length; k++) {
                Outcome o = outcomes.get(k);
                for (int i = 0; i < n; i++) {
                    robustToAll[k][i] &= o.robust()[i];
                }
                rows.add(ResultRows.row(o, kind.option(), correct, labels, classes));
                if (k == middle && (gallery == null || Metrics.count(o.robust()) < gallery.robust())) {
                    gallery = new Candidate(o, Metrics.count(o.robust()));
                }
            }
        }
        for (int k = 0; k < epsilons.length; k++) {
            Outcome worst = new Outcome("worst case", epsilons[k], robustToAll[k], null, new double[n], Double.NaN,
                    "each example's worst case over the attacks above");
            rows.add(ResultRows.row(worst, AuditReport.WORST_CASE, correct, labels, classes));
        }
        for (AuditConfig.AttackKind kind : certificates) {
            certify(kind, config, target, x, labels, correct, classes, robustToAll, rows, warnings, listener);
        }
        // the gallery's saliency maps need gradients: a black-box model has none
        List<AuditReport.GalleryItem> items = gallery == null || !(model instanceof dev.rampart.core.model.GradientClassifier g)
                ? List.of() : Gallery.of(config.gallery(), g, data, x,
                probabilities, correct, gallery.outcome(), config.input().channelsLast());
        double[] cleanCi = Metrics.wilson(correctCount, n, ResultRows.CONFIDENCE);
        return new AuditReport.ModelResult(target.name(), target.description(), correctCount,
                (double) correctCount / n, cleanCi, classTotal, classCorrect, rows, warnings, items);
    }
}
