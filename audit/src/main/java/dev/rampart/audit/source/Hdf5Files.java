package dev.rampart.audit.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A check of an HDF5 file's superblock before the native HDF5 library sees it: the signature, a
 * known superblock version, and an end-of-file address that the file reaches. A truncated or
 * damaged {@code .h5} file is then one line naming it, instead of the native library's error
 * stack (which {@link #quietNativeErrors()} also keeps off the terminal).
 *
 * <pre>{@code
 * Hdf5Files.check(Path.of("model.h5"));   // IOException naming the file if it is cut short
 * }</pre>
 */
final class Hdf5Files {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private Hdf5Files() {
    }

    /**
     * @throws IOException naming the file: no HDF5 signature, an unknown superblock version, or
     *     shorter than the end-of-file address its superblock records (truncated)
     */
    static void check(Path file) throws IOException {
        long size = Files.size(file);
        byte[] head = new byte[96];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (read < SIGNATURE.length || head[i] != SIGNATURE[i]) {
                throw new IOException(file + ": not an HDF5 file (no HDF5 signature at its start)");
            }
        }
        if (read < 16) {
            throw new IOException(file + ": truncated HDF5 file (" + size + " bytes, shorter than its superblock)");
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, read).order(ByteOrder.LITTLE_ENDIAN);
        int version = head[8] & 0xff;
        int offsets;
        int eofAt;
        int baseAt;
        switch (version) {
            case 0, 1 -> {
                offsets = head[13] & 0xff;
                baseAt = version == 0 ? 24 : 28;
                eofAt = baseAt + 2 * offsets;
            }
            case 2, 3 -> {
                offsets = head[9] & 0xff;
                baseAt = 12;
                eofAt = baseAt + 2 * offsets;
            }
            default -> throw new IOException(file + ": HDF5 superblock version " + version + " is not one HDF5 1.12"
                    + " reads (damaged file?)");
        }
        if (offsets != 2 && offsets != 4 && offsets != 8) {
            throw new IOException(file + ": damaged HDF5 superblock (size of offsets " + offsets + ")");
        }
        if (read < eofAt + offsets) {
            throw new IOException(file + ": truncated HDF5 file (" + size + " bytes, shorter than its superblock)");
        }
        long base = unsigned(b, baseAt, offsets);
        long eof = unsigned(b, eofAt, offsets);
        if (eof != -1 && base + eof > size) {
            throw new IOException(file + ": truncated HDF5 file: its superblock says it ends at byte " + (base + eof)
                    + ", the file has " + size + " bytes");
        }
    }

    private static long unsigned(ByteBuffer b, int at, int bytes) {
        return switch (bytes) {
            case 2 -> b.getShort(at) & 0xffffL;
            case 4 -> b.getInt(at) & 0xffffffffL;
            default -> b.getLong(at);
        };
    }

    /** Turns off the native library's printing of its error stack (errors still reach Java as exceptions). */
    static void quietNativeErrors() {
        try {
            org.bytedeco.hdf5.Exception.dontPrint();
        } catch (Throwable t) {
            // no native HDF5 here: the import reports that itself
        }
    }
}
