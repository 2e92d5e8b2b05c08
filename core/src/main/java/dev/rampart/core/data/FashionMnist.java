package dev.rampart.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28x28 grey images of 10 clothing classes, in
 * IDX format. A sample ships inside Rampart (the first {@value #BUNDLED_TRAIN} training and
 * first {@value #BUNDLED_TEST} test images, made by {@code scripts/make-fashion-mnist-sample.sh}
 * from Debian's {@code dataset-fashion-mnist}); the full set loads from any directory, by default
 * {@value #DEBIAN_DIR}.
 *
 * <pre>{@code
 * LabeledData sample = FashionMnist.bundledTest();
 * LabeledData full = FashionMnist.load(Path.of(FashionMnist.DEBIAN_DIR), Split.TEST, 0);
 * }</pre>
 */
public final class FashionMnist {

    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    /** Training images in the bundled sample. */
    public static final int BUNDLED_TRAIN = 4000;
    /** Test images in the bundled sample. */
    public static final int BUNDLED_TEST = 2000;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Class names, by index. */
    public static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
        "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private static final String RESOURCE_DIR = "/dev/rampart/core/data/fashion-mnist-sample/";

    /** Which half of the dataset. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        String images() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        String labels() {
            return prefix + "-labels-idx1-ubyte.gz";
        }
    }

    private FashionMnist() {
    }

    /**
     * Loads a split from a directory holding the four IDX files (gzipped names, as Debian and the
     * original distribution have them; uncompressed files without {@code .gz} are found too).
     *
     * @param limit at most this many examples; all if {@code <= 0}
     * @throws DatasetFormatException if a file is missing, corrupt or truncated, or the image
     *     and label counts differ
     */
    public static LabeledData load(Path dir, Split split, int limit) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException(dir, "not a directory (expected the Fashion-MNIST IDX files in it)");
        }
        Path images = find(dir, split.images());
        Path labels = find(dir, split.labels());
        var x = IdxReader.readImages(images, limit);
        int[] y = IdxReader.readLabels(labels, limit);
        if (x.size(0) != y.length) {
            throw new DatasetFormatException(dir, images.getFileName() + " has " + x.size(0) + " images but "
                    + labels.getFileName() + " has " + y.length + " labels");
        }
        return new LabeledData("fashion-mnist:" + dir + ":" + split.name().toLowerCase(), x, y, CLASSES);
    }

    /** The bundled training sample ({@value #BUNDLED_TRAIN} images). */
    public static LabeledData bundledTrain() throws IOException {
        return bundled(Split.TRAIN);
    }

    /** The bundled test sample ({@value #BUNDLED_TEST} images). */
    public static LabeledData bundledTest() throws IOException {
        return bundled(Split.TEST);
    }

    private static LabeledData bundled(Split split) throws IOException {
        Path tmp = Files.createTempDirectory("rampart-fmnist");
        try {
            for (String name : new String[] {split.images(), split.labels()}) {
                try (InputStream in = FashionMnist.class.getResourceAsStream(RESOURCE_DIR + name)) {
                    if (in == null) {
                        throw new DatasetFormatException("classpath:" + RESOURCE_DIR + name, "bundled file missing");
                    }
                    Files.copy(in, tmp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            LabeledData d = load(tmp, split, 0);
            return new LabeledData("fashion-mnist:bundled:" + split.name().toLowerCase(), d.features(), d.labels(),
                    CLASSES);
        } finally {
            for (String name : new String[] {split.images(), split.labels()}) {
                Files.deleteIfExists(tmp.resolve(name));
            }
            Files.deleteIfExists(tmp);
        }
    }

    private static Path find(Path dir, String gzName) throws DatasetFormatException {
        Path gz = dir.resolve(gzName);
        if (Files.exists(gz)) {
            return gz;
        }
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - 3));
        if (Files.exists(plain)) {
            return plain;
        }
        throw new DatasetFormatException(gz, "no such file (nor " + plain.getFileName() + ")");
    }
}
