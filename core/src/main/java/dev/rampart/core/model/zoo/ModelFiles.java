package dev.rampart.core.model.zoo;

import dev.rampart.core.io.IoErrors;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Loading DL4J model files with clear errors: a missing file, a directory, a file that is not a
 * zip, a zip without DL4J's configuration and coefficients, or a network of the other kind
 * ({@code MultiLayerNetwork} against {@code ComputationGraph}) is reported by name, before DL4J
 * sees it. {@link #kind} tells the two kinds apart from the configuration.
 *
 * <p>A zip's own checksums only catch accidental damage: a model whose weights were changed on
 * purpose, with valid checksums, loads like any other and predicts differently. Proving that a
 * model file is the one that was released needs a signature (Rampart's integrity tools).
 *
 * <pre>{@code
 * MultiLayerNetwork net = ModelFiles.loadMultiLayerNetwork(Path.of("model.zip"));
 * var model = ModelFiles.load(Path.of("graph.zip"), new long[] {1, 28, 28}, InputDomain.UNIT);
 * }</pre>
 */
public final class ModelFiles {

    /** The two kinds of DL4J network a model zip can hold. */
    public enum Kind {
        MULTI_LAYER_NETWORK("MultiLayerNetwork"), COMPUTATION_GRAPH("ComputationGraph");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final long MAX_CONFIGURATION_BYTES = 64L << 20;

    private ModelFiles() {
    }

    /**
     * The kind of network in a DL4J model zip, read from its {@code configuration.json}.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static Kind kind(Path file) throws IOException {
        checkFile(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry conf = zip.getEntry("configuration.json");
            if (conf == null || zip.getEntry("coefficients.bin") == null) {
                throw new IOException(file + ": not a DL4J model (configuration.json or coefficients.bin missing)");
            }
            if (conf.getSize() > MAX_CONFIGURATION_BYTES) {
                throw new IOException(file + ": configuration.json is " + conf.getSize() + " bytes, not a DL4J"
                        + " configuration");
            }
            String json;
            try (InputStream in = zip.getInputStream(conf)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (json.contains("\"vertices\"") && json.contains("\"networkInputs\"")) {
                return Kind.COMPUTATION_GRAPH;
            }
            if (json.contains("\"confs\"")) {
                return Kind.MULTI_LAYER_NETWORK;
            }
            throw new IOException(file + ": configuration.json describes neither a MultiLayerNetwork nor a"
                    + " ComputationGraph");
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a DL4J model zip (" + IoErrors.reason(e) + ")", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e; // already names the file
            }
            throw new IOException(file + ": damaged zip (" + IoErrors.reason(e) + ")", e);
        }
    }

    /**
     * @throws IOException naming the file and what is wrong with it, including a ComputationGraph
     *     zip given where a MultiLayerNetwork is expected
     */
    public static MultiLayerNetwork loadMultiLayerNetwork(Path file) throws IOException {
        Kind kind = kind(file);
        if (kind != Kind.MULTI_LAYER_NETWORK) {
            throw new IOException(file + ": a " + kind + " zip, not a MultiLayerNetwork");
        }
        return restore(file, kind, () -> ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false));
    }

    /**
     * @throws IOException naming the file and what is wrong with it, including a MultiLayerNetwork
     *     zip given where a ComputationGraph is expected
     */
    public static ComputationGraph loadComputationGraph(Path file) throws IOException {
        Kind kind = kind(file);
        if (kind != Kind.COMPUTATION_GRAPH) {
            throw new IOException(file + ": a " + kind + " zip, not a ComputationGraph");
        }
        return restore(file, kind, () -> ModelSerializer.restoreComputationGraph(file.toFile(), false));
    }

    /**
     * A DL4J model zip of either kind, wrapped: a {@link MultiLayerNetworkModel} or a
     * {@link ComputationGraphModel}.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static dev.rampart.core.model.GradientClassifier load(Path file, long[] inputShape, InputDomain domain)
            throws IOException {
        return kind(file) == Kind.MULTI_LAYER_NETWORK
                ? MultiLayerNetworkModel.of(loadMultiLayerNetwork(file), inputShape, domain)
                : ComputationGraphModel.of(loadComputationGraph(file), inputShape, domain);
    }

    private interface Restore<T> {
        T get() throws IOException;
    }

    private static <T> T restore(Path file, Kind kind, Restore<T> restore) throws IOException {
        try {
            return restore.get();
        } catch (RuntimeException | IOException e) {
            throw new IOException(file + ": corrupt DL4J " + kind + " (" + IoErrors.reason(e) + ")",
                    e);
        } catch (Error e) {
            throw new IOException(file + ": corrupt DL4J " + kind + " (" + e + ")", e);
        }
    }

    private static void checkFile(Path file) throws IOException {
        if (file == null || file.toString().isBlank()) {
            throw new IOException("empty model file name");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a model file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file");
        }
        if (!Files.isReadable(file)) {
            throw new IOException(file + ": not readable (permission denied)");
        }
    }
}
