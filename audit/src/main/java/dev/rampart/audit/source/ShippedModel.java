package dev.rampart.audit.source;

import dev.rampart.audit.ModelLoadException;
import dev.rampart.core.io.Digests;
import dev.rampart.core.io.IoErrors;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model as it travels to another JVM (a Spark executor): its name, its file's bytes and their
 * SHA-256 (no bytes for a bundled model), how the tool feeds it, and the data's example shape. Each
 * JVM loads a given shipment once (one cache, keyed by content and options) and hands every caller
 * its own copy. A shipment that cannot be loaded fails with a {@link ModelLoadException} naming the
 * model and its digest.
 *
 * <pre>{@code
 * ShippedModel m = ShippedModel.of(Path.of("model.zip"), new long[] {1, 28, 28}, InputDomain.UNIT);
 * Broadcast<ShippedModel> b = sparkContext.broadcast(m);          // then, on an executor:
 * Classifier model = b.value().load();
 * }</pre>
 *
 * @param name the model as named on the command line, or the file's name
 * @param bytes the model file's content, or {@code null} for a bundled model
 * @param sha256 the content's SHA-256 ({@code bundled:NAME} for a bundled model)
 * @param options how the tool feeds data to the model
 * @param dataShape the shape of one example of the data, channels first
 */
public record ShippedModel(String name, byte[] bytes, String sha256, InputOptions options, long[] dataShape)
        implements Serializable {

    private static final Map<String, Classifier> LOADED = new ConcurrentHashMap<>();

    /** @throws IllegalArgumentException naming a missing part */
    public ShippedModel {
        if (name == null || sha256 == null || options == null || dataShape == null) {
            throw new IllegalArgumentException("name, sha256, options and dataShape must not be null");
        }
        bytes = bytes == null ? null : bytes.clone();
        dataShape = dataShape.clone();
    }

    /**
     * A model named on the command line (a bundled name or a file), with the tool's input options.
     *
     * @throws IOException if the file cannot be read
     */
    public static ShippedModel of(String name, InputOptions options, long[] dataShape) throws IOException {
        if (ModelSource.bundled(name)) {
            return new ShippedModel(name, null, "bundled:" + name, options, dataShape);
        }
        byte[] b = Files.readAllBytes(Path.of(name));
        return new ShippedModel(name, b, Digests.sha256Hex(b), options, dataShape);
    }

    /**
     * A DL4J model file ({@code MultiLayerNetwork} or {@code ComputationGraph} zip) taking inputs of
     * {@code inputShape} in {@code domain}.
     *
     * @throws IOException if the file cannot be read
     */
    public static ShippedModel of(Path file, long[] inputShape, InputDomain domain) throws IOException {
        if (file == null || inputShape == null || domain == null) {
            throw new IllegalArgumentException("file, inputShape and domain must not be null");
        }
        byte[] b = Files.readAllBytes(file);
        return new ShippedModel(file.getFileName().toString(), b, Digests.sha256Hex(b),
                new InputOptions(inputShape, false, domain, null, null), inputShape);
    }

    /** The bytes of a DL4J model file already in memory; {@code name} is for messages. */
    public static ShippedModel of(String name, byte[] bytes, long[] inputShape, InputDomain domain) {
        if (name == null || bytes == null || inputShape == null || domain == null) {
            throw new IllegalArgumentException("name, bytes, inputShape and domain must not be null");
        }
        return new ShippedModel(name, bytes, Digests.sha256Hex(bytes), new InputOptions(inputShape, false, domain,
                null, null), inputShape);
    }

    @Override
    public byte[] bytes() {
        return bytes == null ? null : bytes.clone();
    }

    @Override
    public long[] dataShape() {
        return dataShape.clone();
    }

    /** The file's size in bytes (0 for a bundled model): what a broadcast ships to each JVM once. */
    public int size() {
        return bytes == null ? 0 : bytes.length;
    }

    /**
     * This JVM's model, loaded on first use, as a fresh copy for the caller.
     *
     * @throws ModelLoadException naming the model and its digest if it cannot be loaded
     */
    public Classifier load() {
        String key = sha256 + "|" + Arrays.toString(options.inputShape()) + "|" + options.channelsLast() + "|"
                + options.domain() + "|" + Arrays.toString(options.mean()) + "|" + Arrays.toString(options.std())
                + "|" + Arrays.toString(dataShape);
        return LOADED.computeIfAbsent(key, k -> loadHere()).copy();
    }

    private Classifier loadHere() {
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
            throw new ModelLoadException(name, "(sha256 " + sha256 + ", " + size() + " bytes) could not be loaded"
                    + " on this executor: " + IoErrors.reason(e), e);
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
