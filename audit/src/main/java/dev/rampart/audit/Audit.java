package dev.rampart.audit;

import dev.rampart.attacks.evaluation.AutoAttack;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.report.Provenance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A robustness audit: measures clean accuracy of one or more models, runs every attack at every
 * budget on every model and reports robust accuracy side by side, with 95% Wilson intervals, per
 * class, and the per-example worst case over attacks. Bounded attacks run once per budget;
 * minimum-norm attacks (C&amp;W, DeepFool) run once and are held to each budget;
 * {@code autoattack} runs the {@link AutoAttack} ensemble with its gradient-masking checks, whose
 * warnings join the report. PGD runs with early stopping: an example leaves the loop once fooled
 * and keeps the point that fooled it.
 *
 * <p>The work is cut into chunks of {@code batchSize} consecutive examples that a
 * {@link ChunkRunner} evaluates, in this JVM or on a cluster, with the same result; progress goes
 * to an {@link AuditListener}. Each model's audit is a {@code ModelAudit}; the rows, the gallery
 * and the merged AutoAttack steps are types of their own in this package.
 *
 * <pre>{@code
 * AuditReport report = Audit.run(AuditConfig.defaults(), AuditListener.NONE);
 * System.out.print(ConsoleReport.table(report));
 * }</pre>
 */
public final class Audit {

    private Audit() {
    }

    /**
     * Loads the configured data and models, then runs the audit in this JVM.
     *
     * @throws IOException if a model or the data cannot be read (the message names the file)
     */
    public static AuditReport run(AuditConfig config, AuditListener listener) throws IOException {
        DataSource.Loaded data = loadData(config);
        List<ModelSource.Loaded> models = new ArrayList<>();
        for (String m : config.models()) {
            models.add(ModelSource.load(m, config.input(), DataSource.exampleShape(data)));
        }
        return run(config, models, data, listener);
    }

    /**
     * The configured data, with exactly {@code samples} examples.
     *
     * @throws IOException naming the file and what is wrong with it
     * @throws IllegalArgumentException if the data holds fewer examples than asked for
     */
    public static DataSource.Loaded loadData(AuditConfig config) throws IOException {
        DataSource.Loaded data = DataSource.load(config.data(), config.samples());
        if (data.data().size() < config.samples()) {
            throw new InvalidConfigException(List.of(new InvalidConfigException.Problem("samples", "is "
                    + config.samples() + " but " + data.data().name() + " has only " + data.data().size()
                    + " examples")));
        }
        return data;
    }

    /** The units of work an {@link AuditListener} is told of: one per model, attack and budget. */
    public static long units(AuditConfig config) {
        return (long) config.models().size() * config.attacks().size() * config.epsilons().length;
    }

    /** Runs the audit on models and data already loaded, in this JVM. */
    public static AuditReport run(AuditConfig config, List<ModelSource.Loaded> models, DataSource.Loaded data,
            AuditListener listener) {
        List<Target> targets = new ArrayList<>();
        for (ModelSource.Loaded m : models) {
            targets.add(new Target(m.name(), m.description(), m.model(), null));
        }
        return run(config, targets, data, listener, ChunkRunner.LOCAL);
    }

    /**
     * A model to audit: as loaded here, and how another JVM loads it ({@code shipment}, needed by
     * runners other than {@link ChunkRunner#LOCAL}).
     *
     * @param name the model as named in the configuration
     * @param description for reports
     * @param model the model as this JVM loaded it
     * @param shipment how another JVM loads it, or {@code null} for local runs
     */
    public record Target(String name, String description, Classifier model, ShippedModel shipment) {
    }

    /** Runs the audit with {@code runner} evaluating the chunks. */
    public static AuditReport run(AuditConfig config, List<Target> models, DataSource.Loaded data,
            AuditListener listener, ChunkRunner runner) {
        long start = System.nanoTime();
        List<AuditReport.ModelResult> results = new ArrayList<>();
        for (Target m : models) {
            results.add(ModelAudit.run(config, m, data.data(), listener, runner));
        }
        listener.finish();
        return new AuditReport(results, data.data().name(), data.data().size(), data.classNames(), config,
                (System.nanoTime() - start) / 1e9, Provenance.current());
    }
}
