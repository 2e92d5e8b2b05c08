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

        /** The image file's name, gzipped ({@code train-images-idx3-ubyte.gz}). */
        public String images() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        /** The label file's name, gzipped ({@code train-labels-idx1-ubyte.gz}). */
        public String labels() {
            return prefix + "-labels-idx1-ubyte.gz";
        }

        /** The files' name prefix: {@code train} or {@code t10k}. */
        public String prefix() {
            return prefix;
        }
    }

    private FashionMnist() {
    }

    /**
     * Loads a split from a directory holding the four IDX files (gzipped names, as Debian and the
     * original distribution have them; uncompressed files without {@code .gz} are found too).
     *
     * @param limit at most this many examples; all if {@code <= 0}
     * @throws DatasetFormatException if a file is missing, corrupt or truncated, the image and
     *     label files' headers declare different counts (checked before any limit applies), or a
     *     label is not one of the ten classes
     */
    public static LabeledData load(Path dir, Split split, int limit) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException(dir, "not a directory (expected the Fashion-MNIST IDX files in it)");
        }
        Path images = find(dir, split.images());
        Path labels = find(dir, split.labels());
        long imageCount = IdxReader.declaredCount(images);
        long labelCount = IdxReader.declaredCount(labels);
        if (imageCount != labelCount) {
            throw new DatasetFormatException(dir, images.getFileName() + " holds " + imageCount + " images but "
                    + labels.getFileName() + " holds " + labelCount + " labels: the two files do not belong together");
        }
        var x = IdxReader.readImages(images, limit);
        int[] y = IdxReader.readLabels(labels, limit);
        if (x.size(0) != y.length) {
            throw new DatasetFormatException(dir, images.getFileName() + " has " + x.size(0) + " images but "
                    + labels.getFileName() + " has " + y.length + " labels");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= CLASSES) {
                throw new DatasetFormatException(labels, "label " + y[i] + " of example " + i + " is not one of the "
                        + CLASSES + " classes");
            }
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

    /**
     * The image and label files of {@code split} in {@code dir}, gzipped or not.
     *
     * @throws DatasetFormatException naming the missing file
     */
    public static java.util.List<Path> files(Path dir, Split split) throws DatasetFormatException {
        return java.util.List.of(find(dir, split.images()), find(dir, split.labels()));
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
