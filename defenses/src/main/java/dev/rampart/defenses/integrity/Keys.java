package dev.rampart.defenses.integrity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 key pairs (Bernstein, Duif, Lange, Schwabe &amp; Yang, "High-speed high-security
 * signatures", 2012; RFC 8032) from the JDK's own provider, in standard encodings: private keys as
 * PKCS#8, public keys as X.509 SubjectPublicKeyInfo, each as PEM text (or DER bytes, which are
 * read too). OpenSSL reads and writes the same files ({@code openssl genpkey -algorithm ed25519}).
 *
 * <pre>{@code
 * KeyPair pair = Keys.generate();
 * Keys.writePrivate(pair.getPrivate(), Path.of("release.key"));   // owner-only permissions
 * Keys.writePublic(pair.getPublic(), Path.of("release.pub"));
 * PublicKey pub = Keys.readPublic(Path.of("release.pub"));
 * }</pre>
 */
public final class Keys {

    static final String ALGORITHM = "Ed25519";
    private static final long MAX_KEY_FILE = 64 * 1024;

    private Keys() {
    }

    /** A fresh Ed25519 key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519 (Java 15 or later has)", e);
        }
    }

    /** Writes a private key as PKCS#8 PEM, readable by its owner only where the file system allows. */
    public static void writePrivate(PrivateKey key, Path file) throws IOException {
        write(file, "PRIVATE KEY", key.getEncoded());
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: leave the permissions as they are
        }
    }

    /** Writes a public key as X.509 PEM. */
    public static void writePublic(PublicKey key, Path file) throws IOException {
        write(file, "PUBLIC KEY", key.getEncoded());
    }

    private static void write(Path file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }

    /**
     * Reads an Ed25519 private key (PKCS#8, PEM or DER).
     *
     * @throws IntegrityException naming the file and what is wrong with it
     */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = der(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IntegrityException(file.toString(), "not an Ed25519 private key in PKCS#8 (" + e.getMessage()
                    + ")", e);
        }
    }

    /**
     * Reads an Ed25519 public key (X.509, PEM or DER).
     *
     * @throws IntegrityException naming the file and what is wrong with it
     */
    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = der(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IntegrityException(file.toString(), "not an Ed25519 public key in X.509 (" + e.getMessage()
                    + ")", e);
        }
    }

    private static byte[] der(Path file, String type) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            throw new IntegrityException(String.valueOf(file), "no such key file");
        }
        if (Files.size(file) > MAX_KEY_FILE) {
            throw new IntegrityException(file.toString(), "is " + Files.size(file) + " bytes, too large for a key");
        }
        byte[] raw = Files.readAllBytes(file);
        String text = new String(raw, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN ");
        if (begin < 0) {
            return raw; // DER
        }
        String header = "-----BEGIN " + type + "-----";
        String footer = "-----END " + type + "-----";
        int h = text.indexOf(header);
        int f = text.indexOf(footer);
        if (h < 0 || f < h) {
            String found = text.substring(begin, Math.min(text.length(), text.indexOf('\n', begin) < 0 ? text.length()
                    : text.indexOf('\n', begin))).trim();
            throw new IntegrityException(file.toString(), "expected a PEM '" + header + "' block, found '" + found + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(h + header.length(), f));
        } catch (IllegalArgumentException e) {
            throw new IntegrityException(file.toString(), "the PEM body is not base64", e);
        }
    }
}
