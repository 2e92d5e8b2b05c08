package dev.rampart.defenses.integrity;

import dev.rampart.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of model files at rest with AES-256-GCM (NIST SP 800-38D), the key supplied by the
 * user. GCM authenticates as it decrypts: a wrong key or any changed byte of the file fails with
 * an {@link IntegrityException}; it never yields a different model. File layout: the 16-byte magic
 * {@value #MAGIC}, a fresh random 12-byte nonce, the ciphertext and a 16-byte tag; the magic and
 * nonce are authenticated too. Files up to 2 GB (decrypted in memory).
 *
 * <pre>{@code
 * SecretKey key = ModelEncryption.readKey(Path.of("model.aes"));     // 32 bytes, raw or base64
 * ModelEncryption.encrypt(Path.of("model.zip"), Path.of("model.zip.enc"), key);
 * byte[] zip = ModelEncryption.decrypt(Path.of("model.zip.enc"), key);
 * }</pre>
 */
public final class ModelEncryption {

    /** The file's first bytes. */
    public static final String MAGIC = "RAMPART-AESGCM-1";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ModelEncryption() {
    }

    /** A fresh random AES-256 key. */
    public static SecretKey generateKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return new SecretKeySpec(k, "AES");
    }

    /** Writes a key as base64 text (44 characters and a newline), readable by its owner only where the file system allows. */
    public static void writeKey(SecretKey key, Path file) throws IOException {
        checkKey(key);
        String text = Base64.getEncoder().encodeToString(key.getEncoded()) + "\n";
        AtomicFiles.writePrivate(file, tmp -> Files.writeString(tmp, text, StandardCharsets.US_ASCII));
    }

    /**
     * Reads an AES-256 key in one of exactly two formats: 32 raw bytes (binary, not text), or their
     * base64 text as {@link #writeKey} writes it (44 characters, optionally followed by one line
     * end).
     *
     * @throws KeyFileException naming the file and what it holds instead
     */
    public static SecretKey readKey(Path file) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            throw new KeyFileException(file, "no such key file");
        }
        if (Files.size(file) > 4096) {
            throw new KeyFileException(file, "is " + Files.size(file) + " bytes, too large for an AES key");
        }
        byte[] raw = Files.readAllBytes(file);
        if (raw.length == 0) {
            throw new KeyFileException(file, "is empty");
        }
        boolean text = Keys.isText(raw);
        if (raw.length == 32 && !text) {
            return new SecretKeySpec(raw, "AES");
        }
        if (!text) {
            throw new KeyFileException(file, "is " + raw.length + " bytes: neither a 32-byte raw AES-256 key nor"
                    + " base64 text of one");
        }
        String body = new String(raw, StandardCharsets.US_ASCII);
        if (body.endsWith("\r\n")) {
            body = body.substring(0, body.length() - 2);
        } else if (body.endsWith("\n")) {
            body = body.substring(0, body.length() - 1);
        }
        if (!body.matches("[A-Za-z0-9+/]+={0,2}")) {
            throw new KeyFileException(file, "is " + raw.length + " bytes of text that is not one line of base64:"
                    + " neither a 32-byte raw AES-256 key nor base64 text of one");
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, "is not valid base64 (" + e.getMessage() + ")");
        }
        if (k.length != 32) {
            throw new KeyFileException(file, "holds a " + k.length + "-byte key; AES-256 needs 32 bytes");
        }
        return new SecretKeySpec(k, "AES");
    }

    /** Encrypts {@code in} into {@code out} under {@code key}. */
    public static void encrypt(Path in, Path out, SecretKey key) throws IOException {
        checkKey(key);
        if (in == null || !Files.isRegularFile(in)) {
            throw new IOException(in + ": no such file to encrypt");
        }
        if (Files.size(in) > Integer.MAX_VALUE - 64) {
            throw new IOException(in + ": larger than the 2 GB that can be encrypted in memory");
        }
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] header = header(nonce);
        byte[] body;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(header);
            body = c.doFinal(Files.readAllBytes(in));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
        byte[] all = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        AtomicFiles.writeBytes(out, all);
    }

    /**
     * Decrypts and authenticates a file written by {@link #encrypt}.
     *
     * @throws IntegrityException naming the file: not an encrypted model, too short, or a wrong key
     *     or modified content (GCM cannot tell the two apart)
     */
    public static byte[] decrypt(Path in, SecretKey key) throws IOException {
        checkKey(key);
        String subject = String.valueOf(in);
        if (in == null || !Files.isRegularFile(in)) {
            throw new IntegrityException(subject, "no such file");
        }
        if (Files.size(in) > Integer.MAX_VALUE) {
            throw new IntegrityException(subject, "larger than the 2 GB that can be decrypted in memory");
        }
        byte[] all = Files.readAllBytes(in);
        int head = MAGIC.length() + NONCE;
        if (all.length < head || !Arrays.equals(Arrays.copyOf(all, MAGIC.length()), MAGIC.getBytes(StandardCharsets.US_ASCII))) {
            throw new IntegrityException(subject, "not a Rampart AES-GCM file (no '" + MAGIC + "' header)");
        }
        if (all.length < head + TAG_BITS / 8) {
            throw new IntegrityException(subject, "is " + all.length + " bytes, shorter than a header and a tag:"
                    + " truncated");
        }
        byte[] nonce = Arrays.copyOfRange(all, MAGIC.length(), head);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(all, 0, head);
            return c.doFinal(all, head, all.length - head);
        } catch (AEADBadTagException e) {
            throw new IntegrityException(subject, "authentication failed: a wrong key, or the file was modified", e);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException(subject, "cannot be decrypted: " + e.getMessage(), e);
        }
    }

    private static byte[] header(byte[] nonce) {
        byte[] m = MAGIC.getBytes(StandardCharsets.US_ASCII);
        byte[] h = Arrays.copyOf(m, m.length + nonce.length);
        System.arraycopy(nonce, 0, h, m.length, nonce.length);
        return h;
    }

    private static void checkKey(SecretKey key) {
        if (key == null || key.getEncoded() == null || key.getEncoded().length != 32) {
            throw new IllegalArgumentException("key must be a 32-byte AES-256 key, found "
                    + (key == null || key.getEncoded() == null ? "none" : key.getEncoded().length + " bytes"));
        }
    }
}
