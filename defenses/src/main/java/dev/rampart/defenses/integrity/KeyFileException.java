package dev.rampart.defenses.integrity;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A key file that cannot be used: missing, empty, truncated, of another kind (a public key where a
 * private one is needed, an RSA or EC key, an OpenSSH key, plain text) or of the wrong length.
 * This is a problem with what the user passed in, not a failed integrity check: nothing was
 * verified. The message names the file and says what it holds instead.
 *
 * <pre>{@code
 * try {
 *     PrivateKey k = Keys.readPrivate(Path.of("release.key"));
 * } catch (KeyFileException e) {
 *     System.err.println(e.getMessage());   // release.key: holds a public key (PEM 'PUBLIC KEY'), ...
 * }
 * }</pre>
 */
public final class KeyFileException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param file the key file
     * @param problem what is wrong with it, in words
     */
    public KeyFileException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
