package dev.rampart.core.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the binary version of CIFAR-10 (Krizhevsky 2009): records of one label byte followed by
 * 3,072 pixel bytes (1,024 red, then green, then blue, row-major 32x32). Images become floats in
 * {@code [0, 1]} of shape {@code [n, 3, 32, 32]}. Files may be gzipped (verified to their end).
 *
 * <pre>{@code
 * LabeledData test = Cifar10Reader.read(List.of(dir.resolve("test_batch.bin")), 1000);
 * }</pre>
 */
public final class Cifar10Reader {

    /** Bytes in one record. */
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private Cifar10Reader() {
    }

    /**
     * Reads the records of the given batch files in order, up to {@code limit} (all if
     * {@code limit <= 0}).
     *
     * @throws DatasetFormatException if a file is missing, its size is not a whole number of
     *     records, or a label byte is not a CIFAR-10 class
     */
    public static LabeledData read(List<Path> files, int limit) throws IOException {
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("files must name at least one CIFAR-10 batch file");
        }
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes = DataFiles.readAll(file, DataFiles.MAX_BYTES);
            if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
                throw new DatasetFormatException(file, "size " + bytes.length + " is not a multiple of the "
                        + RECORD_BYTES + "-byte CIFAR-10 record (truncated or not a CIFAR-10 binary batch)");
            }
            for (int off = 0; off < bytes.length && (limit <= 0 || labels.size() < limit); off += RECORD_BYTES) {
                int label = bytes[off] & 0xff;
                if (label >= CLASSES) {
                    throw new DatasetFormatException(file, "record " + off / RECORD_BYTES + " has label " + label
                            + ", not a CIFAR-10 class");
                }
                float[] img = new float[RECORD_BYTES - 1];
                for (int i = 0; i < img.length; i++) {
                    img[i] = (bytes[off + 1 + i] & 0xff) / 255f;
                }
                images.add(img);
                labels.add(label);
            }
        }
        int n = labels.size();
        float[] all = new float[n * (RECORD_BYTES - 1)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(i), 0, all, i * (RECORD_BYTES - 1), RECORD_BYTES - 1);
        }
        INDArray features = Nd4j.create(all, new long[] {n, 3, 32, 32}, 'c');
        return new LabeledData("cifar10:" + files, features, labels.stream().mapToInt(Integer::intValue).toArray(),
                CLASSES);
    }
}
