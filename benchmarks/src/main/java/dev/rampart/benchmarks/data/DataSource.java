package dev.rampart.benchmarks.data;

import dev.rampart.core.data.Cifar10Reader;
import dev.rampart.core.data.CsvReader;
import dev.rampart.core.data.DatasetFormatException;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.ImageFolderReader;
import dev.rampart.core.data.LabeledData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The test data the tool can read: the bundled Fashion-MNIST sample (no path), a directory of
 * IDX files (MNIST, Fashion-MNIST), CIFAR-10 binary batches (a directory holding
 * {@code test_batch.bin}, or one batch file), a CSV file (features then a class column, or the
 * class column given), or a folder of images with one sub-folder per class. The format is found
 * from the path unless given.
 *
 * <pre>{@code
 * DataSource.Loaded d = DataSource.load(new DataSource.Spec(Path.of("cifar-10-batches-bin"), "auto", 3, -1, false, 10), 1000);
 * }</pre>
 */
public final class DataSource {

    /** The CIFAR-10 class names, by index. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    /** The formats the tool reads. */
    public static final List<String> FORMATS = List.of("auto", "idx", "cifar10", "csv", "images");

    /**
     * Where the data is and how to read it.
     *
     * @param path a file or directory, or {@code null} for the bundled Fashion-MNIST sample
     * @param format one of {@link #FORMATS}
     * @param channels image folders: 1 (grey) or 3 (RGB)
     * @param labelColumn CSV: the class column (negative counts from the end)
     * @param header CSV: whether the first line is a header
     * @param classes CSV: the number of classes
     */
    public record Spec(Path path, String format, int channels, int labelColumn, boolean header, int classes) {

        /** The bundled sample. */
        public static final Spec BUNDLED = new Spec(null, "auto", 1, -1, false, 10);

        /** @throws IllegalArgumentException naming the option, for an unknown format or bad values */
        public Spec {
            if (format == null || !FORMATS.contains(format)) {
                throw new IllegalArgumentException("--data-format must be one of " + FORMATS + ", found " + format);
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("--channels must be 1 or 3, found " + channels);
            }
            if (classes < 2) {
                throw new IllegalArgumentException("--classes must be at least 2, found " + classes);
            }
        }
    }

    /**
     * Loaded test data.
     *
     * @param data examples and labels
     * @param classNames a name per class
     */
    public record Loaded(LabeledData data, List<String> classNames) {
    }

    private DataSource() {
    }

    /**
     * Checks that the path exists and its format can be found, without reading the data.
     *
     * @throws IOException naming the path and what is wrong with it
     */
    public static String check(Spec spec) throws IOException {
        if (spec.path() == null) {
            return "idx";
        }
        if (!Files.exists(spec.path())) {
            throw new DatasetFormatException(spec.path(), "no such file or directory");
        }
        if (!Files.isReadable(spec.path())) {
            throw new DatasetFormatException(spec.path(), "not readable (permission denied)");
        }
        return spec.format().equals("auto") ? detect(spec.path()) : spec.format();
    }

    /**
     * Reads up to {@code limit} examples (all if {@code limit <= 0}).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static Loaded load(Spec spec, int limit) throws IOException {
        String format = check(spec);
        Path p = spec.path();
        if (p == null) {
            LabeledData d = FashionMnist.bundledTest();
            return new Loaded(limit > 0 ? d.head(limit) : d, List.of(FashionMnist.CLASS_NAMES));
        }
        return switch (format) {
            case "idx" -> {
                if (!Files.isDirectory(p)) {
                    throw new DatasetFormatException(p, "IDX data is a directory holding t10k-images-idx3-ubyte(.gz)"
                            + " and t10k-labels-idx1-ubyte(.gz)");
                }
                LabeledData d = FashionMnist.load(p, FashionMnist.Split.TEST, limit);
                boolean fashion = p.toString().toLowerCase(Locale.ROOT).contains("fashion");
                yield new Loaded(d, fashion ? List.of(FashionMnist.CLASS_NAMES) : numbered(d.numClasses()));
            }
            case "cifar10" -> {
                Path file = Files.isDirectory(p) ? p.resolve("test_batch.bin") : p;
                yield new Loaded(Cifar10Reader.read(List.of(file), limit), CIFAR10_CLASSES);
            }
            case "csv" -> {
                LabeledData d = new CsvReader(',', spec.header(), spec.labelColumn()).read(p, spec.classes());
                yield new Loaded(limit > 0 ? d.head(limit) : d, numbered(spec.classes()));
            }
            case "images" -> new Loaded(ImageFolderReader.read(p, spec.channels(), limit), ImageFolderReader.classes(p));
            default -> throw new IllegalStateException(format);
        };
    }

    private static String detect(Path p) throws IOException {
        String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            if (Files.exists(p.resolve("t10k-images-idx3-ubyte.gz")) || Files.exists(p.resolve("t10k-images-idx3-ubyte"))) {
                return "idx";
            }
            if (Files.exists(p.resolve("test_batch.bin"))) {
                return "cifar10";
            }
            try (var s = Files.list(p)) {
                if (s.anyMatch(Files::isDirectory)) {
                    return "images";
                }
            }
            throw new DatasetFormatException(p, "cannot tell the data format: no t10k-images-idx3-ubyte(.gz), no"
                    + " test_batch.bin, no class sub-folders (give --data-format)");
        }
        if (name.endsWith(".csv")) {
            return "csv";
        }
        if (name.endsWith(".bin")) {
            return "cifar10";
        }
        throw new DatasetFormatException(p, "cannot tell the data format from the file name (give --data-format"
                + " csv or cifar10)");
    }

    private static List<String> numbered(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.valueOf(i));
        }
        return out;
    }

    /** The example shape {@code [c, h, w]} (or as stored) of the data. */
    public static long[] exampleShape(Loaded d) {
        long[] s = d.data().features().shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }
}
