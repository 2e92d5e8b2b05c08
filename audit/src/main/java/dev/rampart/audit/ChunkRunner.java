package dev.rampart.audit;

import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How the audit evaluates its chunks (runs of {@code batchSize} consecutive examples, the unit of
 * work): one after the other in this JVM ({@link #LOCAL}), or over a cluster (the rampart-spark
 * module's runner, found by {@link java.util.ServiceLoader}). Attacks seed their random choices
 * per example from the example's index, and a chunk is always evaluated whole, so every runner
 * gives every example the same result.
 *
 * <pre>{@code
 * List<R> results = runner.map(model, shipped, chunks, (m, chunk) -> ...);   // in chunk order
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
        R apply(Classifier model, Chunk chunk);
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
        public INDArray features() {
            return Nd4j.create(x, shape, 'c');
        }

        /** The examples' indices in the evaluation set. */
        public long[] indices() {
            long[] out = new long[labels.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = first + i;
            }
            return out;
        }

        /**
         * Checks every value of every record: finite and inside the model's domain.
         *
         * @throws BadRecordException naming the first bad record by its index in the evaluation set
         */
        public void check(InputDomain domain) {
            int n = labels.length;
            int per = x.length / n;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < per; k++) {
                    float v = x[i * per + k];
                    if (!Float.isFinite(v) || v < domain.min() || v > domain.max()) {
                        throw new BadRecordException(first + i, "value " + v + " at position " + k
                                + " is not finite or outside the model's input domain " + domain);
                    }
                }
            }
        }
    }

    /** The chunks of {@code size} consecutive examples of {@code x} (the model's input layout), in order. */
    static List<Chunk> cut(INDArray x, int[] labels, int size) {
        float[] all = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int per = all.length / labels.length;
        List<Chunk> out = new ArrayList<>();
        for (int from = 0; from < labels.length; from += size) {
            int to = Math.min(labels.length, from + size);
            long[] shape = x.shape().clone();
            shape[0] = to - from;
            out.add(new Chunk(from, shape, Arrays.copyOfRange(all, from * per, to * per),
                    Arrays.copyOfRange(labels, from, to)));
        }
        return out;
    }

    /**
     * Applies {@code work} to every chunk and returns the results in chunk order.
     *
     * @param local the model as this JVM loaded it
     * @param model how another JVM loads the same model (runners other than {@link #LOCAL} need it)
     */
    <R extends Serializable> List<R> map(Classifier local, ShippedModel model, List<Chunk> chunks,
            Work<R> work);

    /** A short description for the report, such as {@code "local"} or {@code "spark local[2], 4 partitions"}. */
    String describe();

    /** The chunks, one after the other, in this JVM. */
    ChunkRunner LOCAL = new ChunkRunner() {
        @Override
        public <R extends Serializable> List<R> map(Classifier local, ShippedModel model, List<Chunk> chunks,
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
