package dev.rampart.core.data;

import dev.rampart.core.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes labeled grey images as a gzipped IDX pair in the Fashion-MNIST layout
 * ({@code PREFIX-images-idx3-ubyte.gz}, {@code PREFIX-labels-idx1-ubyte.gz}), which
 * {@link IdxReader} and {@link FashionMnist} read back: values in {@code [0, 1]} become unsigned
 * bytes ({@code round(255 v)}, so images read from IDX files come back bit for bit). Both files are
 * written atomically.
 *
 * <pre>{@code
 * IdxWriter.write(sanitized, Path.of("clean"), "train");   // clean/train-images-idx3-ubyte.gz, ...
 * LabeledData back = FashionMnist.load(Path.of("clean"), FashionMnist.Split.TRAIN, 0);
 * }</pre>
 */
public final class IdxWriter {

    private IdxWriter() {
    }

    /** Whether {@code data} can be written: one channel, at most 256 classes. */
    public static boolean writable(LabeledData data) {
        long[] s = data.exampleShape();
        return s.length == 3 && s[0] == 1 && data.numClasses() <= 256;
    }

    /**
     * Writes {@code data} into {@code dir} with the file prefix {@code prefix} ({@code train} or
     * {@code t10k}).
     *
     * @return the image file and the label file
     * @throws IllegalArgumentException if the data have more than one channel or 256 classes, or a
     *     value outside [0, 1] or not finite
     */
    public static Path[] write(LabeledData data, Path dir, String prefix) throws IOException {
        if (!writable(data)) {
            throw new IllegalArgumentException("IDX holds one-channel images with at most 256 classes; " + data.name()
                    + " has examples of shape " + Arrays.toString(data.exampleShape()) + " and " + data.numClasses()
                    + " classes");
        }
        long[] s = data.exampleShape();
        int n = data.size();
        float[] v = data.features().castTo(DataType.FLOAT).dup('c').data().asFloat();
        byte[] pixels = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0 && v[i] <= 1)) {
                throw new IllegalArgumentException(data.name() + ": value " + v[i] + " of example "
                        + i / (s[1] * s[2]) + " is outside [0, 1]");
            }
            pixels[i] = (byte) Math.round(v[i] * 255);
        }
        byte[] labels = new byte[n];
        int[] y = data.labels();
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) y[i];
        }
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labelFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        byte[] imageBytes = gzip(0x803, new int[] {n, (int) s[1], (int) s[2]}, pixels);
        byte[] labelBytes = gzip(0x801, new int[] {n}, labels);
        AtomicFiles.writeAll(java.util.List.of(new AtomicFiles.Output(images, f -> java.nio.file.Files.write(f, imageBytes), false),
                new AtomicFiles.Output(labelFile, f -> java.nio.file.Files.write(f, labelBytes), false)));
        return new Path[] {images, labelFile};
    }

    private static byte[] gzip(int magic, int[] dims, byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length / 4 + 64);
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(body);
        }
        return bytes.toByteArray();
    }
}
