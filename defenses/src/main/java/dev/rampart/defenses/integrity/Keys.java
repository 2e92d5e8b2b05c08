package dev.rampart.defenses.integrity;

import dev.rampart.core.io.IoErrors;
import dev.rampart.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

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

    /** Writes a private key as PKCS#8 PEM, atomically, readable by its owner only where the file system allows. */
    public static void writePrivate(PrivateKey key, Path file) throws IOException {
        AtomicFiles.writeAll(List.of(output(file, "PRIVATE KEY", key.getEncoded(), true)));
    }

    /** Writes a public key as X.509 PEM, atomically. */
    public static void writePublic(PublicKey key, Path file) throws IOException {
        AtomicFiles.writeAll(List.of(output(file, "PUBLIC KEY", key.getEncoded(), false)));
    }

    /**
     * Writes both halves of a key pair: both files are written in full before either is moved into
     * place, so that a failure leaves no half pair.
     *
     * @throws IllegalArgumentException if the two paths are the same file
     */
    public static void writePair(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
        if (AtomicFiles.sameFile(privateFile, publicFile)) {
            throw new IllegalArgumentException("the private and public key files are the same file (" + privateFile
                    + "): the public key would overwrite the private one");
        }
        AtomicFiles.writeAll(List.of(output(privateFile, "PRIVATE KEY", pair.getPrivate().getEncoded(), true),
                output(publicFile, "PUBLIC KEY", pair.getPublic().getEncoded(), false)));
    }

    private static AtomicFiles.Output output(Path file, String type, byte[] der, boolean ownerOnly) {
        String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        return new AtomicFiles.Output(file, tmp -> Files.writeString(tmp, pem, StandardCharsets.US_ASCII), ownerOnly);
    }

    /**
     * Reads an Ed25519 private key (PKCS#8, PEM or DER).
     *
     * @throws KeyFileException naming the file and what it holds instead: missing, empty, truncated,
     *     a public key, another algorithm's key (RSA, EC, ...), an OpenSSH key or text
     */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = der(file, PRIVATE);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KeyFileException(file, "not a valid Ed25519 private key in PKCS#8 (" + IoErrors.reason(e) + ")");
        }
    }

    /**
     * Reads an Ed25519 public key (X.509, PEM or DER).
     *
     * @throws KeyFileException naming the file and what it holds instead: missing, empty, truncated,
     *     a private key, another algorithm's key, or text
     */
    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = der(file, PUBLIC);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KeyFileException(file, "not a valid Ed25519 public key in X.509 (" + IoErrors.reason(e) + ")");
        }
    }

    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";
    private static final String HOW = "Rampart signs with Ed25519 keys: make a pair with ./rampart keygen (or openssl"
            + " genpkey -algorithm ed25519)";

    /** The DER bytes of a key of {@code type}, checked to be one (not merely decodable). */
    private static byte[] der(Path file, String type) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            throw new KeyFileException(file, Files.isDirectory(file) ? "is a directory, not a key file"
                    : "no such key file");
        }
        if (Files.size(file) > MAX_KEY_FILE) {
            throw new KeyFileException(file, "is " + Files.size(file) + " bytes, too large for a key");
        }
        byte[] raw = Files.readAllBytes(file);
        if (raw.length == 0) {
            throw new KeyFileException(file, "is empty");
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int begin = text.indexOf("-----BEGIN ");
        byte[] der;
        if (begin < 0) {
            if (isText(raw)) {
                throw new KeyFileException(file, "is text without a PEM '-----BEGIN " + type + "-----' block: not a key"
                        + " file; " + HOW);
            }
            der = raw;
        } else {
            int endOfHeader = text.indexOf("-----", begin + 11);
            String found = endOfHeader < 0 ? text.substring(begin + 11).trim() : text.substring(begin + 11, endOfHeader);
            if (!found.equals(type)) {
                throw new KeyFileException(file, "holds a PEM '" + found + "' block, not a '" + type + "': "
                        + kindOf(found, type));
            }
            String header = "-----BEGIN " + type + "-----";
            String footer = "-----END " + type + "-----";
            int f = text.indexOf(footer, begin);
            if (f < 0) {
                throw new KeyFileException(file, "truncated PEM block: '" + header + "' has no '" + footer
                        + "' line");
            }
            try {
                der = Base64.getMimeDecoder().decode(text.substring(begin + header.length(), f));
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(file, "the PEM body is not base64 (" + IoErrors.reason(e) + ")");
            }
        }
        checkDer(file, der, type);
        return der;
    }

    /** What a PEM block of another type holds, for the message. */
    private static String kindOf(String found, String wanted) {
        if (found.equals(PUBLIC)) {
            return "a public key; signing needs the private key";
        }
        if (found.equals(PRIVATE)) {
            return "a private key; verifying needs the public key (never hand out the private key)";
        }
        if (found.startsWith("RSA ") || found.startsWith("EC ") || found.startsWith("DSA ")) {
            return "an " + found.substring(0, found.indexOf(' ')) + " key; " + HOW;
        }
        if (found.startsWith("OPENSSH ")) {
            return "an OpenSSH key; " + HOW;
        }
        if (found.startsWith("ENCRYPTED ")) {
            return "an encrypted key; decrypt it first (openssl pkey -in FILE -out PLAIN)";
        }
        return "not an Ed25519 " + wanted.toLowerCase(java.util.Locale.ROOT) + "; " + HOW;
    }

    /** Whether every byte is printable ASCII or a line or tab character: a text file, not key bytes. */
    static boolean isText(byte[] b) {
        for (byte x : b) {
            int c = x & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20) || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks the ASN.1 structure of a PKCS#8 PrivateKeyInfo or X.509 SubjectPublicKeyInfo: its
     * declared length against the bytes present (truncation), which of the two it is, and its
     * algorithm.
     */
    private static void checkDer(Path file, byte[] der, String type) throws KeyFileException {
        Der outer = Der.at(der, 0);
        if (outer == null || outer.tag != 0x30) {
            throw new KeyFileException(file, "not a key: neither PEM text nor a DER-encoded " + type.toLowerCase(
                    java.util.Locale.ROOT));
        }
        if (outer.end > der.length) {
            throw new KeyFileException(file, "truncated: the key's encoding declares " + (outer.end - outer.start)
                    + " bytes, the file holds " + (der.length - outer.start));
        }
        Der first = Der.at(der, outer.start);
        if (first == null || first.end > outer.end) {
            throw new KeyFileException(file, "not a key: its encoding is malformed");
        }
        boolean isPrivate = first.tag == 0x02; // PrivateKeyInfo starts with its version INTEGER
        Der algorithm = isPrivate ? Der.at(der, first.end) : first;
        if (algorithm == null || algorithm.tag != 0x30 || algorithm.end > outer.end) {
            throw new KeyFileException(file, "not a key: its encoding is malformed");
        }
        if (isPrivate != type.equals(PRIVATE)) {
            throw new KeyFileException(file, "holds a DER-encoded " + (isPrivate ? "private key; verifying needs the"
                    + " public key" : "public key; signing needs the private key"));
        }
        Der oid = Der.at(der, algorithm.start);
        if (oid == null || oid.tag != 0x06 || oid.end > algorithm.end) {
            throw new KeyFileException(file, "not a key: no algorithm identifier");
        }
        byte[] id = java.util.Arrays.copyOfRange(der, oid.start, oid.end);
        if (!java.util.Arrays.equals(id, ED25519_OID)) {
            throw new KeyFileException(file, "holds " + algorithmName(id) + " key; " + HOW);
        }
    }

    private static final byte[] ED25519_OID = {0x2b, 0x65, 0x70};

    private static String algorithmName(byte[] oid) {
        String hex = java.util.HexFormat.of().formatHex(oid);
        return switch (hex) {
            case "2a864886f70d010101" -> "an RSA";
            case "2a8648ce3d0201" -> "an EC";
            case "2a8648ce380401" -> "a DSA";
            case "2b6571" -> "an Ed448";
            case "2b656e" -> "an X25519";
            case "2b656f" -> "an X448";
            default -> "another algorithm's (OID bytes " + hex + ")";
        };
    }

    /** One DER element: its tag and where its content starts and ends. */
    private record Der(int tag, int start, int end) {
        /** The element at {@code pos}, or null if its header is cut short or invalid. */
        static Der at(byte[] b, int pos) {
            if (pos + 2 > b.length) {
                return null;
            }
            int tag = b[pos] & 0xff;
            int len = b[pos + 1] & 0xff;
            int p = pos + 2;
            if (len >= 0x80) {
                int bytes = len & 0x7f;
                if (bytes == 0 || bytes > 3 || p + bytes > b.length) {
                    return null;
                }
                len = 0;
                for (int k = 0; k < bytes; k++) {
                    len = (len << 8) | (b[p++] & 0xff);
                }
            }
            return new Der(tag, p, p + len);
        }
    }
}
