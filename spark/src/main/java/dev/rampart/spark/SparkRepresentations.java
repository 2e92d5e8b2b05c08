package dev.rampart.spark;

import dev.rampart.audit.source.ShippedModel;
import dev.rampart.audit.ModelLoadException;
import dev.rampart.audit.ChunkRunner;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.defenses.poisoning.Representations;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A layer's activations of a training set computed on Spark executors, chunk by chunk: the forward
 * passes are over 90% of a data-level poison detector's time (benchmarks/BENCHMARKS.md), so they
 * are what a cluster should do; the per-class decomposition then runs on the driver.
 *
 * <pre>{@code
 * SpectralSignatures ss = SpectralSignatures.builder(model).expectedPoisonRate(0.1).build();
 * INDArray r = SparkRepresentations.of(sc, ShippedModel.of(zip, shape, UNIT), ss.layer(), train, 8);
 * PoisonReport report = ss.detect(train, r);   // the same report as ss.detect(train)
 * }</pre>
 */
public final class SparkRepresentations {

    /** Examples per chunk: the batch of {@link Representations#of}, so results equal a local run's. */
    static final int CHUNK = 512;

    private SparkRepresentations() {
    }

    /**
     * {@code layer}'s activations of every example of {@code data}, as {@code [n, d]} doubles.
     *
     * @throws IllegalArgumentException naming a null argument or partitions below 1; the job fails
     *     with the model's name if it cannot be loaded, or is not an {@link ActivationModel}
     */
    public static INDArray of(JavaSparkContext sc, ShippedModel model, String layer, LabeledData data, int partitions) {
        if (sc == null || model == null || layer == null || data == null) {
            throw new IllegalArgumentException("sc, model, layer and data must not be null");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, found " + partitions);
        }
        Broadcast<ShippedModel> shipped = sc.broadcast(model);
        List<double[][]> parts = sc.parallelize(DistributedAutoAttack.chunks(data, CHUNK), partitions)
                .mapPartitions((Iterator<ChunkRunner.Chunk> it) -> {
                    dev.rampart.core.model.Classifier m = shipped.value().load();
                    if (!(m instanceof ActivationModel a)) {
                        throw new ModelLoadException(shipped.value().name(), "gives no activations", null);
                    }
                    List<double[][]> out = new ArrayList<>();
                    while (it.hasNext()) {
                        ChunkRunner.Chunk c = it.next();
                        out.add(Representations.of(a, layer, c.features()).toDoubleMatrix());
                    }
                    return out.iterator();
                }).collect();
        List<double[]> rows = new ArrayList<>(data.size());
        for (double[][] p : parts) {
            java.util.Collections.addAll(rows, p);
        }
        return Nd4j.createFromArray(rows.toArray(new double[0][])).castTo(DataType.DOUBLE);
    }
}
