package dev.rampart.spark;

import dev.rampart.core.model.TrainableModel;
import dev.rampart.defenses.federated.Federation;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A federation's clients as Spark tasks: each round, every sampled client's local training runs as
 * one task, which receives the global model (with its optimizer state) as a DL4J model file's bytes
 * and sends back the trained parameters. A client's training depends only on the global model, its
 * data and its seed, so the rounds equal those of {@link Federation.ClientRunner#LOCAL}.
 *
 * <pre>{@code
 * Federation.Report r = Federation.builder(global, ClientData.iid(train, 50, 1), LocalTraining.epochs(1, 32))
 *         .aggregator(new CoordinateMedian()).runner(SparkFederation.runner(sc)).rounds(30).build().run();
 * }</pre>
 */
public final class SparkFederation {

    private SparkFederation() {
    }

    /**
     * A runner that trains each round's clients on {@code sc}, one partition per client. The global
     * model must be a DL4J model ({@code MultiLayerNetworkModel} or {@code ComputationGraphModel}) and
     * the {@code LocalTraining} must capture only serializable values.
     *
     * @throws IllegalArgumentException if {@code sc} is null
     */
    public static Federation.ClientRunner runner(JavaSparkContext sc) {
        if (sc == null) {
            throw new IllegalArgumentException("sc must not be null");
        }
        return (global, jobs, local) -> {
            SparkPartitionAggregation.Shipped model;
            try {
                model = SparkPartitionAggregation.Shipped.of(global, true);
            } catch (IOException e) {
                throw new UncheckedIOException("the global model could not be serialized for Spark", e);
            }
            try {
                return sc.parallelize(jobs, jobs.size()).map(j -> {
                    TrainableModel copy = (TrainableModel) model.load();
                    local.train(copy, j.data(), j.seed());
                    return copy.parameters().dup();
                }).collect();
            } catch (Exception e) {
                throw new IllegalStateException("training the clients on Spark failed: "
                        + SparkShadowModels.firstLine(e), e);
            }
        };
    }
}
