package dev.rampart.defenses.integrity;

import dev.rampart.core.io.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Ed25519 signatures of files (models, manifests, datasets). The signature file
 * ({@code <file>.sig} by default) is text: a statement (format, algorithm, the file's name, size and
 * SHA-256) and the Ed25519 signature of that statement. Verifying checks the signature first, then
 * that the file has the stated size and digest, streaming the file, so files of any size are
 * signed in constant memory. The name is recorded for people; a renamed file still verifies.
 *
 * <pre>{@code
 * SignedFiles.sign(Path.of("model.zip"), Keys.readPrivate(Path.of("release.key")));   // writes model.zip.sig
 * SignedFiles.verify(Path.of("model.zip"), Keys.readPublic(Path.of("release.pub")));  // or IntegrityException
 * }</pre>
 */
public final class SignedFiles {

    static final String FORMAT = "rampart-signature 1";
    private static final long MAX_SIGNATURE_FILE = 64 * 1024;

    private SignedFiles() {
    }

    /**
     * What a verified signature vouches for.
     *
     * @param file the file
     * @param size its size in bytes
     * @param sha256 its digest, hex
     */
    public record Verified(Path file, long size, String sha256) {
    }

    /** The default signature file of {@code file}: {@code <file>.sig}. */
    public static Path signatureOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".sig");
    }

    /** Signs {@code file} into {@link #signatureOf}{@code (file)}. */
    public static Path sign(Path file, PrivateKey key) throws IOException {
        return sign(file, key, signatureOf(file));
    }

    /**
     * Signs {@code file} into {@code signature}.
     *
     * @throws IOException if the file cannot be read or the signature written
     */
    public static Path sign(Path file, PrivateKey key, Path signature) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file to sign");
        }
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        String statement = statement(file.getFileName().toString(), Files.size(file), Digests.hex(Digests.file(file)));
        byte[] sig;
        try {
            Signature s = Signature.getInstance(Keys.ALGORITHM);
            s.initSign(key);
            s.update(statement.getBytes(StandardCharsets.UTF_8));
            sig = s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key is not an Ed25519 private key: " + e.getMessage(), e);
        }
        dev.rampart.core.io.AtomicFiles.writeString(signature, statement + "signature "
                + Base64.getEncoder().encodeToString(sig) + "\n");
        return signature;
    }

    private static String statement(String name, long size, String sha256) {
        return FORMAT + "\nalgorithm " + Keys.ALGORITHM + "\nfile " + name.replace('\n', ' ') + "\nsize " + size
                + "\nsha256 " + sha256 + "\n";
    }

    /** Verifies {@code file} against {@link #signatureOf}{@code (file)}. */
    public static Verified verify(Path file, PublicKey key) throws IOException {
        return verify(file, signatureOf(file), key);
    }

    /**
     * Verifies {@code file} against {@code signature}.
     *
     * @throws IntegrityException naming the file and why: no signature, a malformed one, a
     *     signature that does not verify with this key, or a file whose size or content differs
     *     from what was signed
     */
    public static Verified verify(Path file, Path signature, PublicKey key) throws IOException {
        String subject = String.valueOf(file);
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (file == null || !Files.isRegularFile(file)) {
            throw new IntegrityException(subject, "no such file");
        }
        if (signature == null || !Files.isRegularFile(signature)) {
            throw new IntegrityException(subject, "no signature file " + signature);
        }
        if (Files.size(signature) > MAX_SIGNATURE_FILE) {
            throw new IntegrityException(subject, "signature file " + signature + " is too large to be one");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(signature, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IntegrityException(subject, "signature file " + signature + " is not UTF-8 text", e);
        }
        if (lines.size() != 6 || !FORMAT.equals(lines.get(0)) || !lines.get(1).equals("algorithm " + Keys.ALGORITHM)
                || !lines.get(2).startsWith("file ") || !lines.get(3).startsWith("size ")
                || !lines.get(4).startsWith("sha256 ") || !lines.get(5).startsWith("signature ")) {
            throw new IntegrityException(subject, "signature file " + signature + " is not a Rampart Ed25519 signature");
        }
        long size;
        try {
            size = Long.parseLong(lines.get(3).substring(5));
        } catch (NumberFormatException e) {
            throw new IntegrityException(subject, "signature file " + signature + ": size is not a number");
        }
        String sha = lines.get(4).substring(7);
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(lines.get(5).substring(10));
        } catch (IllegalArgumentException e) {
            throw new IntegrityException(subject, "signature file " + signature + ": the signature is not base64");
        }
        String statement = statement(lines.get(2).substring(5), size, sha);
        boolean ok;
        try {
            Signature s = Signature.getInstance(Keys.ALGORITHM);
            s.initVerify(key);
            s.update(statement.getBytes(StandardCharsets.UTF_8));
            ok = s.verify(sig);
        } catch (java.security.SignatureException e) {
            ok = false;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key is not an Ed25519 public key: " + e.getMessage(), e);
        }
        if (!ok) {
            throw new IntegrityException(subject, "the signature in " + signature + " does not verify with this public"
                    + " key (another signer, or the signature file was changed)");
        }
        long actualSize = Files.size(file);
        if (actualSize != size) {
            throw new IntegrityException(subject, "is " + actualSize + " bytes but " + size + " bytes were signed");
        }
        String actual = Digests.hex(Digests.file(file));
        if (!actual.equals(sha)) {
            throw new IntegrityException(subject, "content differs from what was signed (SHA-256 " + actual
                    + ", signed " + sha + ")");
        }
        return new Verified(file, size, sha);
    }
}
