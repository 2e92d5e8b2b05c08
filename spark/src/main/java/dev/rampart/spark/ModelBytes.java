package dev.rampart.spark;

import dev.rampart.core.io.IoErrors;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.zoo.ModelFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DL4J model file as bytes, to broadcast to executors, with what Rampart needs to wrap it. Each
 * executor JVM deserializes a given model once (by its SHA-256) and hands each task its own copy.
 * A model that cannot be deserialized fails the task with a message naming the model, its digest
 * and the cause.
 *
 * <pre>{@code
 * ModelBytes m = ModelBytes.of(Path.of("model.zip"), new long[] {1, 28, 28}, InputDomain.UNIT);
 * Broadcast<ModelBytes> b = sparkContext.broadcast(m);
 * }</pre>
 */
public final class ModelBytes implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Map<String, GradientClassifier> LOADED = new ConcurrentHashMap<>();

    private final String name;
    private final byte[] bytes;
    private final String sha256;
    private final long[] inputShape;
    private final double domainMin;
    private final double domainMax;

    private ModelBytes(String name, byte[] bytes, long[] inputShape, InputDomain domain) {
        this.name = name;
        this.bytes = bytes;
        this.sha256 = digest(bytes);
        this.inputShape = inputShape.clone();
        this.domainMin = domain.min();
        this.domainMax = domain.max();
    }

    /**
     * Reads a DL4J model file ({@code MultiLayerNetwork} or {@code ComputationGraph} zip).
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming a null argument
     */
    public static ModelBytes of(Path file, long[] inputShape, InputDomain domain) throws IOException {
        if (file == null || inputShape == null || domain == null) {
            throw new IllegalArgumentException("file, inputShape and domain must not be null");
        }
        return new ModelBytes(file.getFileName().toString(), Files.readAllBytes(file), inputShape, domain);
    }

    /** Bytes of a model file already in memory; {@code name} is for messages. */
    public static ModelBytes of(String name, byte[] bytes, long[] inputShape, InputDomain domain) {
        if (name == null || bytes == null || inputShape == null || domain == null) {
            throw new IllegalArgumentException("name, bytes, inputShape and domain must not be null");
        }
        return new ModelBytes(name, bytes.clone(), inputShape, domain);
    }

    /**
     * This JVM's model, deserialized on first use, as a fresh copy for the caller.
     *
     * @throws IllegalStateException naming the model and its digest if the bytes are not a model
     */
    public GradientClassifier load() {
        GradientClassifier m = LOADED.computeIfAbsent(sha256, k -> deserialize());
        return m.copy();
    }

    private GradientClassifier deserialize() {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("rampart-model-", ".zip");
            Files.write(tmp, bytes);
            return ModelFiles.load(tmp, inputShape, new InputDomain(domainMin, domainMax));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("model '" + name + "' (sha256 " + sha256 + ", " + bytes.length
                    + " bytes) could not be deserialized on this executor: " + IoErrors.reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public String sha256() {
        return sha256;
    }

    /** Size of the model file in bytes: what a broadcast ships to each executor once. */
    public int size() {
        return bytes.length;
    }

    private static String digest(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
