package dev.rampart.defenses.integrity;

import dev.rampart.core.io.Digests;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.zoo.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HexFormat;
import javax.crypto.SecretKey;

/**
 * Loading a DL4J model only if it is the one that was signed (and, optionally, decrypting it
 * first), in one call. The bytes are read once, their digest checked against the verified
 * signature, and DL4J restores the model from exactly those bytes, so the file cannot change
 * between the check and the load.
 *
 * <pre>{@code
 * GradientClassifier model = TrustedModels.loadSigned(Path.of("model.zip"), publicKey,
 *         new long[] {1, 28, 28}, InputDomain.UNIT);                  // model.zip.sig next to it
 * }</pre>
 */
public final class TrustedModels {

    private TrustedModels() {
    }

    /**
     * A signed DL4J model zip (signature in {@code <model>.sig}).
     *
     * @throws IntegrityException if the signature does not verify; nothing is loaded then
     * @throws IOException naming the file if it is not a DL4J model
     */
    public static GradientClassifier loadSigned(Path model, PublicKey key, long[] inputShape, InputDomain domain)
            throws IOException {
        return loadSigned(model, SignedFiles.signatureOf(model), key, inputShape, domain);
    }

    /** As {@link #loadSigned(Path, PublicKey, long[], InputDomain)} with the signature file given. */
    public static GradientClassifier loadSigned(Path model, Path signature, PublicKey key, long[] inputShape,
            InputDomain domain) throws IOException {
        SignedFiles.Verified v = SignedFiles.verify(model, signature, key);
        byte[] bytes = Files.readAllBytes(model);
        if (!HexFormat.of().formatHex(Digests.sha256().digest(bytes)).equals(v.sha256())) {
            throw new IntegrityException(model.toString(), "changed while it was being verified");
        }
        return fromBytes(bytes, model.toString(), inputShape, domain);
    }

    /**
     * An AES-GCM encrypted DL4J model zip ({@link ModelEncryption}), optionally also signed: if
     * {@code key} is given, the encrypted file's signature ({@code <file>.sig}) is verified first.
     *
     * @throws IntegrityException on a signature that does not verify, a wrong key or a modified file
     */
    public static GradientClassifier loadEncrypted(Path encrypted, SecretKey secret, PublicKey key, long[] inputShape,
            InputDomain domain) throws IOException {
        if (key != null) {
            SignedFiles.verify(encrypted, key);
        }
        return fromBytes(ModelEncryption.decrypt(encrypted, secret), encrypted.toString(), inputShape, domain);
    }

    private static GradientClassifier fromBytes(byte[] bytes, String subject, long[] inputShape, InputDomain domain)
            throws IOException {
        Path tmp = Files.createTempFile("rampart-model-", ".zip");
        try {
            Files.write(tmp, bytes);
            return ModelFiles.load(tmp, inputShape, domain);
        } catch (IOException e) {
            throw new IOException(subject + ": " + e.getMessage().replace(tmp.toString() + ": ", ""), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
