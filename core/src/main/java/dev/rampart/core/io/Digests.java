package dev.rampart.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests: of bytes, of a file (streamed), as hex. Manifests, signatures and the model
 * files shipped to other JVMs use them.
 *
 * <pre>{@code
 * String id = Digests.sha256Hex(Files.readAllBytes(model));
 * }</pre>
 */
public final class Digests {

    private Digests() {
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The SHA-256 of a file, streamed. */
    public static byte[] file(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0;) {
                md.update(buf, 0, r);
            }
        }
        return md.digest();
    }

    /** Lower-case hex digits of {@code b}. */
    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The SHA-256 of {@code bytes}, as 64 hex digits. */
    public static String sha256Hex(byte[] bytes) {
        return hex(sha256().digest(bytes));
    }

    /** Parses 64 hex digits, or returns null. */
    public static byte[] parseSha256(String hex) {
        if (hex == null || hex.length() != 64) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
