package dev.rampart.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the IDX format of MNIST, Fashion-MNIST and EMNIST (LeCun et al.), gzipped or not: unsigned
 * byte images become floats in {@code [0, 1]} of shape {@code [n, 1, rows, cols]}, label files
 * become int arrays.
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
     * Reads up to {@code limit} images (all if {@code limit <= 0}).
     *
     * @throws DatasetFormatException if the file is missing, not an IDX image file, or truncated
     */
    public static INDArray readImages(Path file, int limit) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != UBYTE_IMAGES) {
                throw new DatasetFormatException(file, String.format(
                        "not an IDX image file (magic 0x%08x, expected 0x%08x)", magic, UBYTE_IMAGES));
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) {
                throw new DatasetFormatException(file, "invalid header: " + count + " images of " + rows + "x" + cols);
            }
            int n = limit > 0 ? Math.min(limit, count) : count;
            byte[] raw = new byte[Math.multiplyExact(n, rows * cols)];
            readFully(in, raw, file, n + " images of " + rows + "x" + cols);
            float[] values = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                values[i] = (raw[i] & 0xff) / 255f;
            }
            return Nd4j.create(values, new long[] {n, 1, rows, cols}, 'c');
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "truncated header");
        } catch (java.util.zip.ZipException e) {
            throw new DatasetFormatException(file, "corrupt gzip stream (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads up to {@code limit} labels (all if {@code limit <= 0}).
     *
     * @throws DatasetFormatException if the file is missing, not an IDX label file, or truncated
     */
    public static int[] readLabels(Path file, int limit) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != UBYTE_LABELS) {
                throw new DatasetFormatException(file, String.format(
                        "not an IDX label file (magic 0x%08x, expected 0x%08x)", magic, UBYTE_LABELS));
            }
            int count = in.readInt();
            if (count < 0) {
                throw new DatasetFormatException(file, "invalid label count " + count);
            }
            int n = limit > 0 ? Math.min(limit, count) : count;
            byte[] raw = new byte[n];
            readFully(in, raw, file, n + " labels");
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "truncated header");
        } catch (java.util.zip.ZipException e) {
            throw new DatasetFormatException(file, "corrupt gzip stream (" + e.getMessage() + ")");
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "no such file");
        }
        raw.mark(2);
        int b1 = raw.read();
        int b2 = raw.read();
        raw.reset();
        boolean gzip = b1 == 0x1f && b2 == 0x8b;
        try {
            return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
        } catch (IOException e) {
            raw.close();
            throw new DatasetFormatException(file, "corrupt gzip stream (" + e.getMessage() + ")");
        }
    }

    private static void readFully(DataInputStream in, byte[] buf, Path file, String what) throws IOException {
        int off = 0;
        try {
            while (off < buf.length) {
                int r = in.read(buf, off, buf.length - off);
                if (r < 0) {
                    break;
                }
                off += r;
            }
        } catch (java.util.zip.ZipException e) {
            throw new DatasetFormatException(file, "corrupt gzip stream (" + e.getMessage() + ")");
        } catch (EOFException e) {
            // fall through to the length check
        }
        if (off < buf.length) {
            throw new DatasetFormatException(file, "truncated: expected " + what + " (" + buf.length
                    + " bytes of data), found " + off + " bytes");
        }
    }
}
