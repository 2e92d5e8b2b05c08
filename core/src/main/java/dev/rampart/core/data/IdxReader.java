package dev.rampart.core.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the IDX format of MNIST, Fashion-MNIST and EMNIST (LeCun et al.), gzipped or not: unsigned
 * byte images become floats in {@code [0, 1]} of shape {@code [n, 1, rows, cols]}, label files
 * become int arrays.
 *
 * <p>The whole file is read and checked before anything is allocated from its header: a gzip
 * file is decompressed to its end (CRC-32 and length verified, see {@link DataFiles}), and the
 * data must be exactly as long as the header says, neither shorter nor longer. Every problem is a
 * {@link DatasetFormatException} naming the file and, for a bad header, the field.
 *
 * <pre>{@code
 * INDArray images = IdxReader.readImages(dir.resolve("t10k-images-idx3-ubyte.gz"), 1000);
 * int[] labels = IdxReader.readLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"), 1000);
 * }</pre>
 */
public final class IdxReader {

    private static final int UBYTE_IMAGES = 0x00000803;
    private static final int UBYTE_LABELS = 0x00000801;
    private static final int MAX_DIM = 1 << 16;

    private IdxReader() {
    }

    /**
     * Reads up to {@code limit} images (all if {@code limit <= 0}); the whole file is verified
     * either way.
     *
     * @throws DatasetFormatException if the file is missing, not an IDX image file, corrupt, or
     *     its length differs from what its header says
     */
    public static INDArray readImages(Path file, int limit) throws IOException {
        ByteBuffer b = header(file, UBYTE_IMAGES, 3, "image");
        long count = field(file, b, "image count", Integer.MAX_VALUE);
        long rows = field(file, b, "rows", MAX_DIM);
        long cols = field(file, b, "columns", MAX_DIM);
        if (rows == 0 || cols == 0) {
            throw new DatasetFormatException(file, "invalid header: images of " + rows + "x" + cols);
        }
        checkLength(file, b, count, rows * cols, count + " images of " + rows + "x" + cols);
        int n = (int) (limit > 0 ? Math.min(limit, count) : count);
        int pixels = Math.toIntExact(n * rows * cols);
        float[] values = new float[pixels];
        for (int i = 0; i < pixels; i++) {
            values[i] = (b.get() & 0xff) / 255f;
        }
        return Nd4j.create(values, new long[] {n, 1, rows, cols}, 'c');
    }

    /**
     * Reads up to {@code limit} labels (all if {@code limit <= 0}); the whole file is verified
     * either way.
     *
     * @throws DatasetFormatException if the file is missing, not an IDX label file, corrupt, or
     *     its length differs from what its header says
     */
    public static int[] readLabels(Path file, int limit) throws IOException {
        ByteBuffer b = header(file, UBYTE_LABELS, 1, "label");
        long count = field(file, b, "label count", Integer.MAX_VALUE);
        checkLength(file, b, count, 1, count + " labels");
        int n = (int) (limit > 0 ? Math.min(limit, count) : count);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = b.get() & 0xff;
        }
        return labels;
    }

    /**
     * The number of examples an IDX image or label file's header declares, read from its first
     * bytes only (the data itself is verified when it is read).
     *
     * @throws DatasetFormatException if the file is missing or its header is not an IDX header
     */
    public static long declaredCount(Path file) throws IOException {
        DataFiles.checkReadable(file);
        byte[] head;
        try (java.io.InputStream raw = java.nio.file.Files.newInputStream(file);
                java.io.InputStream in = DataFiles.isGzip(file) ? new java.util.zip.GZIPInputStream(raw) : raw) {
            head = in.readNBytes(8);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DatasetFormatException(file, "corrupt gzip header (" + e.getMessage() + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        if (head.length < 8) {
            throw new DatasetFormatException(file, "truncated header: " + head.length + " bytes");
        }
        int magic = b.getInt();
        if (magic != UBYTE_IMAGES && magic != UBYTE_LABELS) {
            throw new DatasetFormatException(file, String.format("not an IDX image or label file (magic 0x%08x)",
                    magic));
        }
        return field(file, b, magic == UBYTE_IMAGES ? "image count" : "label count", Integer.MAX_VALUE);
    }

    /** The verified content, positioned after the magic number. */
    private static ByteBuffer header(Path file, int magic, int dims, String kind) throws IOException {
        byte[] bytes = DataFiles.readAll(file, DataFiles.MAX_BYTES);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length >= 4) {
            int found = b.getInt();
            if (found != magic) {
                throw new DatasetFormatException(file, String.format(
                        "not an IDX %s file (magic 0x%08x, expected 0x%08x)", kind, found, magic));
            }
        }
        if (bytes.length < 4 + 4 * dims) {
            throw new DatasetFormatException(file, "truncated header: " + bytes.length + " bytes, an IDX " + kind
                    + " file has a " + (4 + 4 * dims) + "-byte header");
        }
        return b;
    }

    /** The next header field, as an unsigned value checked against {@code max}. */
    private static long field(Path file, ByteBuffer b, String name, long max) throws DatasetFormatException {
        int raw = b.getInt();
        if (raw < 0 || raw > max) {
            throw new DatasetFormatException(file, "invalid header: " + name + " is " + Integer.toUnsignedLong(raw)
                    + " (at most " + max + ")");
        }
        return raw;
    }

    /** Checks that exactly {@code count * itemBytes} data bytes follow the header. */
    private static void checkLength(Path file, ByteBuffer b, long count, long itemBytes, String what)
            throws DatasetFormatException {
        long expected = count * itemBytes; // count < 2^31, itemBytes <= 2^32: no overflow
        long found = b.remaining();
        if (found < expected) {
            throw new DatasetFormatException(file, "truncated: the header says " + what + " (" + expected
                    + " bytes of data), the file has " + found);
        }
        if (found > expected) {
            throw new DatasetFormatException(file, (found - expected) + " bytes after the data: the header says "
                    + what + " (" + expected + " bytes of data), the file has " + found);
        }
    }
}
