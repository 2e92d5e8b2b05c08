package dev.rampart.spark;

import dev.rampart.attacks.evaluation.AutoAttack;
import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.audit.BadRecordException;
import dev.rampart.audit.ChunkRunner;
import dev.rampart.audit.ChunkRunner.Chunk;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.report.Provenance;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The AutoAttack ensemble (Croce &amp; Hein, ICML 2020; Rampart's
 * {@link AutoAttack}) on an evaluation set split over Spark executors. The set is cut into chunks
 * of {@code chunkSize} consecutive examples; a chunk is the unit of work, evaluated whole by one
 * task, and every random choice is seeded from the example's index (see
 * {@link dev.rampart.attacks.evasion.EvasionAttack#run(INDArray, dev.rampart.attacks.evasion.AttackGoal, long[])}).
 * So each example's result is the same whatever the number of partitions, and equal to
 * {@link #evaluateLocally}, which runs the same chunks one after the other in this JVM. The model
 * is broadcast once as bytes and deserialized once per executor; a lost task is recomputed by
 * Spark; a malformed record fails the job with its index.
 *
 * <pre>{@code
 * try (JavaSparkContext sc = new JavaSparkContext("local[2]", "audit")) {
 *     DistributedAutoAttack.Result r = DistributedAutoAttack.evaluate(sc, ShippedModel.of(zip, shape, UNIT), test,
 *             DistributedAutoAttack.Spec.standard(Norm.LINF, 0.1, 1), 8);
 *     r.robustAccuracy();
 * }
 * }</pre>
 */
public final class DistributedAutoAttack {

    private DistributedAutoAttack() {
    }

    /**
     * The evaluation's settings.
     *
     * @param norm the threat model's norm
     * @param epsilon its budget
     * @param seed the run's seed
     * @param chunkSize examples per chunk, and the attacks' batch size
     * @param apgdSteps steps of each APGD run
     * @param squareQueries queries of the Square attack
     */
    public record Spec(Norm norm, double epsilon, long seed, int chunkSize, int apgdSteps, int squareQueries)
            implements Serializable {
        /** @throws IllegalArgumentException naming an invalid value */
        public Spec {
            if (norm == null) {
                throw new IllegalArgumentException("norm must not be null");
            }
            if (!(epsilon > 0 && Double.isFinite(epsilon))) {
                throw new IllegalArgumentException("epsilon must be positive and finite, found " + epsilon);
            }
            if (chunkSize <= 0) {
                throw new IllegalArgumentException("chunkSize must be positive, found " + chunkSize);
            }
            if (apgdSteps <= 0) {
                throw new IllegalArgumentException("apgdSteps must be positive, found " + apgdSteps);
            }
            if (squareQueries <= 0) {
                throw new IllegalArgumentException("squareQueries must be positive, found " + squareQueries);
            }
        }

        /** AutoAttack's standard settings: 100 APGD steps, 5,000 Square queries, chunks of 256. */
        public static Spec standard(Norm norm, double epsilon, long seed) {
            return new Spec(norm, epsilon, seed, 256, 100, 5000);
        }
    }

    /**
     * One example's outcome.
     *
     * @param index the example's index in the evaluation set
     * @param label its label
     * @param robust whether every attack failed on it (and it was classified correctly)
     * @param brokenBy the first attack that fooled it, {@code "clean"} if misclassified, null if robust
     */
    public record Example(long index, int label, boolean robust, String brokenBy) implements Serializable {
    }

    /**
     * The merged outcome, examples in index order.
     *
     * @param examples every example's outcome
     * @param cleanAccuracy share classified correctly
     * @param robustAccuracy share robust
     * @param partitions partitions used (1 for a local run)
     * @param seconds wall time
     * @param spec the evaluation's settings, with its seed
     * @param provenance versions and backend of the driver
     */
    public record Result(List<Example> examples, double cleanAccuracy, double robustAccuracy, int partitions,
            double seconds, Spec spec, Provenance provenance) {
        /** The seed of the attacks' random choices. */
        public long seed() {
            return spec.seed();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d examples, %d partitions: clean %.4f, robust %.4f, %.1f s",
                    examples.size(), partitions, cleanAccuracy, robustAccuracy, seconds);
        }
    }

    /**
     * Evaluates {@code data} on {@code partitions} partitions of {@code sc}.
     *
     * @throws IllegalArgumentException naming a null argument or partitions below 1
     * @throws org.apache.spark.SparkException (unchecked through Spark) carrying the index of a
     *     malformed record or the reason a model could not be loaded
     */
    public static Result evaluate(JavaSparkContext sc, ShippedModel model, LabeledData data, Spec spec, int partitions) {
        if (sc == null || model == null || data == null || spec == null) {
            throw new IllegalArgumentException("sc, model, data and spec must not be null");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, found " + partitions);
        }
        long t0 = System.nanoTime();
        Broadcast<ShippedModel> shipped = sc.broadcast(model);
        int numClasses = data.numClasses();
        List<Example> out = new ArrayList<>(sc.parallelize(chunks(data, spec.chunkSize()), partitions)
                .mapPartitions((Iterator<Chunk> it) -> {
                    dev.rampart.core.model.Classifier m = shipped.value().load();
                    List<Example> done = new ArrayList<>();
                    while (it.hasNext()) {
                        done.addAll(evaluate(m, it.next(), spec, numClasses));
                    }
                    return done.iterator();
                }).collect());
        return merge(out, partitions, t0, spec);
    }

    /** The same chunks, one after the other, in this JVM: the single-machine run. */
    public static Result evaluateLocally(ShippedModel model, LabeledData data, Spec spec) {
        if (model == null || data == null || spec == null) {
            throw new IllegalArgumentException("model, data and spec must not be null");
        }
        long t0 = System.nanoTime();
        dev.rampart.core.model.Classifier m = model.load();
        List<Example> out = new ArrayList<>();
        for (Chunk c : chunks(data, spec.chunkSize())) {
            out.addAll(evaluate(m, c, spec, data.numClasses()));
        }
        return merge(out, 1, t0, spec);
    }

    /** The audit's chunks of {@code data}: the same cut for every runner. */
    static List<Chunk> chunks(LabeledData data, int size) {
        return ChunkRunner.cut(data.features(), data.labels(), size);
    }

    /** One chunk: its records checked (a bad one is named by its index), then the ensemble. */
    static List<Example> evaluate(dev.rampart.core.model.Classifier model, Chunk c, Spec spec, int numClasses) {
        int n = c.labels().length;
        for (int i = 0; i < n; i++) {
            if (c.labels()[i] < 0 || c.labels()[i] >= numClasses) {
                throw new BadRecordException(c.first() + i, "label " + c.labels()[i] + " is outside [0, " + numClasses
                        + ")");
            }
        }
        c.check(model.domain());
        INDArray x = c.features().castTo(model.dataType());
        long[] indices = c.indices();
        RobustnessReport r = AutoAttack.builder(model).norm(spec.norm()).epsilon(spec.epsilon()).seed(spec.seed())
                .batchSize(spec.chunkSize()).apgdSteps(spec.apgdSteps()).squareQueries(spec.squareQueries())
                .maskingChecks(false).build().evaluate(x, c.labels(), indices);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Example(indices[i], c.labels()[i], r.robust()[i], r.brokenBy()[i]));
        }
        return out;
    }

    private static Result merge(List<Example> out, int partitions, long t0, Spec spec) {
        out.sort(Comparator.comparingLong(Example::index));
        long correct = out.stream().filter(e -> !"clean".equals(e.brokenBy())).count();
        long robust = out.stream().filter(Example::robust).count();
        return new Result(List.copyOf(out), (double) correct / out.size(), (double) robust / out.size(), partitions,
                (System.nanoTime() - t0) / 1e9, spec, Provenance.current());
    }
}
