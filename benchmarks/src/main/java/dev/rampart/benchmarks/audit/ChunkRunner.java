package dev.rampart.benchmarks.audit;

import dev.rampart.core.io.IoErrors;
import dev.rampart.benchmarks.models.InputOptions;
import dev.rampart.benchmarks.models.ModelSource;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the audit evaluates its chunks (runs of {@code batchSize} consecutive examples, the unit of
 * work): one after the other in this JVM ({@link #LOCAL}), or over a cluster (the rampart-spark
 * module's runner, found by {@link java.util.ServiceLoader}). Attacks seed their random choices
 * per example from the example's index, and a chunk is always evaluated whole, so every runner
 * gives every example the same result.
 *
 * <pre>{@code
 * List<R> results = runner.map(model, chunks, (m, chunk) -> ...);   // in chunk order
 * }</pre>
 */
public interface ChunkRunner extends AutoCloseable {

    /**
     * Opens runners on a cluster; the rampart-spark module provides one (registered for
     * {@link java.util.ServiceLoader}).
     */
    interface Factory {
        /**
         * A runner on {@code master} (a Spark master URL such as {@code local[2]} or
         * {@code spark://host:7077}) that splits the chunks into {@code partitions} (0: one per
         * chunk).
         */
        ChunkRunner open(String master, int partitions);

        /**
         * Checks a master URL before any work: its form, and for a standalone master that it
         * answers.
         *
         * @throws IllegalArgumentException naming the URL and what is wrong with it
         */
        default void check(String master) {
        }
    }

    /**
     * Checks {@code master} with the first {@link Factory} on the class path.
     *
     * @throws IllegalArgumentException naming the URL and what is wrong, or that no factory is there
     */
    static void checkMaster(String master) {
        for (Factory f : java.util.ServiceLoader.load(Factory.class)) {
            f.check(master);
            return;
        }
        throw new IllegalArgumentException("--spark needs the rampart-spark module and Apache Spark on the class path"
                + " (the ./rampart launcher puts them there)");
    }

    /**
     * The runner of the first {@link Factory} on the class path.
     *
     * @throws IllegalStateException if no factory is on the class path
     */
    static ChunkRunner distributed(String master, int partitions) {
        for (Factory f : java.util.ServiceLoader.load(Factory.class)) {
            return f.open(master, partitions);
        }
        throw new IllegalStateException("--spark needs the rampart-spark module and Apache Spark on the class path"
                + " (the ./rampart launcher puts them there)");
    }

    /** Releases the runner's resources (a Spark context). */
    @Override
    default void close() {
    }

    /** Work on one chunk with the model; serializable, to travel to executors. */
    @FunctionalInterface
    interface Work<R extends Serializable> extends Serializable {
        R apply(GradientClassifier model, Chunk chunk);
    }

    /**
     * Consecutive examples, in the model's input layout.
     *
     * @param first index of the first example in the evaluation set
     * @param shape the chunk's shape, {@code [n, model input shape...]}
     * @param x the values, row-major
     * @param labels the labels
     */
    record Chunk(long first, long[] shape, float[] x, int[] labels) implements Serializable {
        /** The values as an array of {@link #shape()}. */
        public org.nd4j.linalg.api.ndarray.INDArray features() {
            return org.nd4j.linalg.factory.Nd4j.create(x, shape, 'c');
        }

        /** The examples' indices in the evaluation set. */
        public long[] indices() {
            long[] out = new long[labels.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = first + i;
            }
            return out;
        }
    }

    /**
     * What an executor needs to load the model the driver loaded: its name on the command line,
     * the file's bytes (none for a bundled model) and the input options.
     */
    record ModelRef(String name, byte[] bytes, long[] inputShape, boolean channelsLast, double domainMin,
            double domainMax, double[] mean, double[] std, long[] dataShape) implements Serializable {

        /** The reference of a model named on the command line. */
        public static ModelRef of(String name, InputOptions options, long[] dataShape) throws IOException {
            byte[] bytes = ModelSource.bundled(name) ? null : Files.readAllBytes(Path.of(name));
            return new ModelRef(name, bytes, options.inputShape(), options.channelsLast(), options.domain().min(),
                    options.domain().max(), options.mean(), options.std(), dataShape);
        }

        /**
         * Loads the model here (from a temporary copy of the bytes, under the original file name).
         *
         * @throws IllegalStateException naming the model if it cannot be loaded
         */
        public GradientClassifier load() {
            InputOptions options = new InputOptions(inputShape, channelsLast, new InputDomain(domainMin, domainMax),
                    mean, std);
            Path dir = null;
            try {
                String source = name;
                if (bytes != null) {
                    dir = Files.createTempDirectory("rampart-model-");
                    Path file = dir.resolve(Path.of(name).getFileName().toString());
                    Files.write(file, bytes);
                    source = file.toString();
                }
                return ModelSource.load(source, options, dataShape).model();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("model '" + name + "' could not be loaded on this executor: "
                        + IoErrors.reason(e), e);
            } finally {
                if (dir != null) {
                    try (var files = Files.list(dir)) {
                        for (Path p : files.toList()) {
                            Files.deleteIfExists(p);
                        }
                        Files.deleteIfExists(dir);
                    } catch (IOException ignored) {
                        // a temporary file left behind is harmless
                    }
                }
            }
        }
    }

    /**
     * Applies {@code work} to every chunk and returns the results in chunk order.
     *
     * @param local the model as the driver loaded it
     * @param ref how another JVM loads the same model
     */
    <R extends Serializable> List<R> map(GradientClassifier local, ModelRef ref, List<Chunk> chunks, Work<R> work);

    /** A short description for the report, such as {@code "local"} or {@code "spark local[2], 4 partitions"}. */
    String describe();

    /** The chunks, one after the other, in this JVM. */
    ChunkRunner LOCAL = new ChunkRunner() {
        @Override
        public <R extends Serializable> List<R> map(GradientClassifier local, ModelRef ref, List<Chunk> chunks,
                Work<R> work) {
            List<R> out = new ArrayList<>(chunks.size());
            for (Chunk c : chunks) {
                out.add(work.apply(local, c));
            }
            return out;
        }

        @Override
        public String describe() {
            return "local";
        }
    };
}
