package dev.rampart.spark;

import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.defenses.certification.PartitionAggregation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Deep partition aggregation's models (Levine &amp; Feizi 2021) trained as Spark tasks, one per
 * part: each task trains its part's model with the user's routine and sends it back as a DL4J model
 * file's bytes. Each part's data and seed depend only on its index, so the ensemble equals one
 * trained on one machine.
 *
 * <pre>{@code
 * TrainingRoutine routine = (TrainingRoutine & Serializable) (data, seed) -> trainMyModel(data, seed);
 * PartitionAggregation.Ensemble e = PartitionAggregation.builder(routine).partitions(250)
 *         .runner(SparkPartitionAggregation.runner(sc)).build().fit(train);
 * }</pre>
 */
public final class SparkPartitionAggregation {

    private SparkPartitionAggregation() {
    }

    /**
     * A runner that trains the parts' models on {@code sc}, one partition per part. The routine must
     * return DL4J models ({@code MultiLayerNetworkModel} or {@code ComputationGraphModel}).
     *
     * @throws IllegalArgumentException if {@code sc} is null
     */
    public static PartitionAggregation.Runner runner(JavaSparkContext sc) {
        if (sc == null) {
            throw new IllegalArgumentException("sc must not be null");
        }
        return (parts, part, onModel) -> {
            List<Integer> ids = IntStream.range(0, parts).boxed().collect(Collectors.toList());
            List<Shipped> out;
            try {
                out = sc.parallelize(ids, parts).map(i -> Shipped.of(part.train(i))).collect();
            } catch (Exception e) {
                throw new IllegalStateException("training the parts' models on Spark failed: "
                        + SparkShadowModels.firstLine(e), e);
            }
            List<Classifier> models = new ArrayList<>(parts);
            for (int i = 0; i < out.size(); i++) {
                models.add(out.get(i).load());
                onModel.accept(i);
            }
            return models;
        };
    }

    /** A trained DL4J model as it travels back to the driver. */
    record Shipped(byte[] bytes, boolean graph, boolean updater, long[] inputShape, double min, double max)
            implements Serializable {

        static Shipped of(Classifier m) throws IOException {
            return of(m, false);
        }

        /** With {@code updater}, the optimizer's state travels too (a model that will train on). */
        static Shipped of(Classifier m, boolean updater) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (m instanceof MultiLayerNetworkModel n) {
                ModelSerializer.writeModel(n.network(), out, updater);
            } else if (m instanceof ComputationGraphModel g) {
                ModelSerializer.writeModel(g.graph(), out, updater);
            } else {
                throw new IllegalArgumentException("a model must be a DL4J model (MultiLayerNetworkModel or"
                        + " ComputationGraphModel) to travel to or from Spark, found "
                        + (m == null ? "null" : m.getClass().getSimpleName()));
            }
            return new Shipped(out.toByteArray(), m instanceof ComputationGraphModel, updater, m.inputShape(),
                    m.domain().min(), m.domain().max());
        }

        Classifier load() {
            InputDomain domain = new InputDomain(min, max);
            try (ByteArrayInputStream in = new ByteArrayInputStream(bytes)) {
                return graph ? ComputationGraphModel.of(ModelSerializer.restoreComputationGraph(in, updater), inputShape,
                        domain) : MultiLayerNetworkModel.of(ModelSerializer.restoreMultiLayerNetwork(in, updater),
                        inputShape, domain);
            } catch (IOException e) {
                throw new UncheckedIOException("a model shipped through Spark could not be read back", e);
            }
        }
    }
}
