package dev.rampart.audit.source;

import dev.rampart.audit.InvalidConfigException;
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
 * The data the tool can read: the bundled Fashion-MNIST sample (no path), a directory of IDX
 * files (MNIST, Fashion-MNIST), CIFAR-10 binary batches (a directory, or one batch file), a CSV
 * file (features then a class column, or the class column given), or a folder of images with one
 * sub-folder per class. The format is found from the path unless given; for the data sets that
 * have two halves, the {@link Split} says which is read (the audit reads the test split, the
 * poison scan and the manifest the training split), and {@link Loaded#describe()} says which
 * files were read.
 *
 * <pre>{@code
 * DataSource.Loaded d = DataSource.load(new DataSource.Spec(Path.of("cifar-10-batches-bin"), "auto", 3, -1, false, 10,
 *         DataSource.Split.TEST), 1000);
 * }</pre>
 */
public final class DataSource {

    /** The CIFAR-10 class names, by index. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    /** The formats the tool reads. */
    public static final List<String> FORMATS = List.of("auto", "idx", "cifar10", "csv", "images");

    /** The most classes a CSV file may declare. */
    public static final int MAX_CLASSES = 100_000;

    /**
     * Which half of a data set that has two: the training files ({@code train-*} IDX files,
     * CIFAR-10's {@code data_batch_*.bin}, the bundled training sample) or the test files
     * ({@code t10k-*}, {@code test_batch.bin}, the bundled test sample). A CSV file or an image
     * folder is read as it is.
     */
    public enum Split {
        TRAIN, TEST;

        /** The option's spelling. */
        public String option() {
            return name().toLowerCase(Locale.ROOT);
        }

        FashionMnist.Split idx() {
            return this == TRAIN ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST;
        }
    }

    /**
     * Where the data is and how to read it.
     *
     * @param path a file or directory, or {@code null} for the bundled Fashion-MNIST sample
     * @param format one of {@link #FORMATS}
     * @param channels image folders: 1 (grey) or 3 (RGB)
     * @param labelColumn CSV: the class column (negative counts from the end)
     * @param header CSV: whether the first line is a header
     * @param classes CSV: the number of classes
     * @param split which half of a data set that has two
     */
    public record Spec(Path path, String format, int channels, int labelColumn, boolean header, int classes,
            Split split) {

        /** The bundled test sample. */
        public static final Spec BUNDLED = new Spec(null, "auto", 1, -1, false, 10, Split.TEST);

        /** @throws InvalidConfigException naming every invalid field */
        public Spec {
            List<InvalidConfigException.Problem> p = new ArrayList<>();
            if (format == null || !FORMATS.contains(format)) {
                p.add(new InvalidConfigException.Problem("format", "must be one of " + FORMATS + ", found " + format));
            }
            if (channels != 1 && channels != 3) {
                p.add(new InvalidConfigException.Problem("channels", "must be 1 or 3, found " + channels));
            }
            if (classes < 2 || classes > MAX_CLASSES) {
                p.add(new InvalidConfigException.Problem("classes", "must be in [2, " + MAX_CLASSES + "], found "
                        + classes));
            }
            if (split == null) {
                p.add(new InvalidConfigException.Problem("split", "must be train or test"));
            }
            if (!p.isEmpty()) {
                throw new InvalidConfigException(p);
            }
        }

        /** The test split of {@code path}, read as the other values say. */
        public Spec(Path path, String format, int channels, int labelColumn, boolean header, int classes) {
            this(path, format, channels, labelColumn, header, classes, Split.TEST);
        }
    }

    /**
     * An IDX directory that holds the other split but not the one asked for. Commands that can
     * read either split add how to ask for the one that is there.
     */
    public static final class SplitMissingException extends DatasetFormatException {
        private static final long serialVersionUID = 1L;
        private final transient Split available;

        SplitMissingException(Path dir, Split wanted, Split available) {
            super(dir, "holds " + available.idx().prefix() + "-* (" + available.option() + ") IDX files but no "
                    + wanted.idx().prefix() + "-* (" + wanted.option() + ") files");
            this.available = available;
        }

        /** The split the directory holds. */
        public Split available() {
            return available;
        }

        /** How a command with a {@code --split} option reads the split that is there. */
        public String splitHint() {
            return "give --split " + available.option() + " to read them";
        }
    }

    /**
     * Loaded data.
     *
     * @param data examples and labels
     * @param classNames a name per class
     * @param files the files read (none for the bundled sample)
     * @param source where the data came from, in words, for the tool's output
     */
    public record Loaded(LabeledData data, List<String> classNames, List<Path> files, String source) {

        public Loaded {
            classNames = List.copyOf(classNames);
            files = List.copyOf(files);
        }

        /** One line: the files read and the number of examples, such as {@code train-images-idx3-ubyte.gz, ... (60000 examples)}. */
        public String describe() {
            return source + " (" + data.size() + " examples)";
        }
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
        String format = spec.format().equals("auto") ? detect(spec.path(), spec.split()) : spec.format();
        files(spec, format); // every file the split needs is there
        return format;
    }

    /**
     * The files a spec reads (none for the bundled sample).
     *
     * @throws IOException naming what is missing
     */
    public static List<Path> files(Spec spec, String format) throws IOException {
        Path p = spec.path();
        if (p == null) {
            return List.of();
        }
        return switch (format) {
            case "idx" -> {
                if (!Files.isDirectory(p)) {
                    throw new DatasetFormatException(p, "IDX data is a directory holding "
                            + spec.split().idx().prefix() + "-images-idx3-ubyte(.gz) and " + spec.split().idx().prefix()
                            + "-labels-idx1-ubyte(.gz)");
                }
                yield FashionMnist.files(p, spec.split().idx());
            }
            case "cifar10" -> cifarFiles(p, spec.split());
            default -> List.of(p);
        };
    }

    private static List<Path> cifarFiles(Path p, Split split) throws IOException {
        if (!Files.isDirectory(p)) {
            return List.of(p);
        }
        if (split == Split.TEST) {
            Path test = p.resolve("test_batch.bin");
            if (!Files.exists(test)) {
                throw new DatasetFormatException(p, "has no test_batch.bin (the CIFAR-10 test split)");
            }
            return List.of(test);
        }
        List<Path> out = new ArrayList<>();
        for (int k = 1; k <= 5; k++) {
            Path b = p.resolve("data_batch_" + k + ".bin");
            if (Files.exists(b)) {
                out.add(b);
            }
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException(p, "has no data_batch_1.bin ... data_batch_5.bin (the CIFAR-10 training"
                    + " split)");
        }
        return out;
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
            LabeledData d = spec.split() == Split.TRAIN ? FashionMnist.bundledTrain() : FashionMnist.bundledTest();
            return new Loaded(limit > 0 ? d.head(limit) : d, List.of(FashionMnist.CLASS_NAMES), List.of(),
                    "the bundled Fashion-MNIST " + spec.split().option() + " sample");
        }
        List<Path> files = files(spec, format);
        String source = files.size() == 1 && files.get(0).equals(p) ? p.toString()
                : String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList()) + " in " + p;
        return switch (format) {
            case "idx" -> {
                LabeledData d = FashionMnist.load(p, spec.split().idx(), limit);
                boolean fashion = p.toString().toLowerCase(Locale.ROOT).contains("fashion");
                yield new Loaded(d, fashion ? List.of(FashionMnist.CLASS_NAMES) : numbered(d.numClasses()), files,
                        source);
            }
            case "cifar10" -> new Loaded(Cifar10Reader.read(files, limit), CIFAR10_CLASSES, files, source);
            case "csv" -> {
                LabeledData d = new CsvReader(',', spec.header(), spec.labelColumn()).read(p, spec.classes());
                yield new Loaded(limit > 0 ? d.head(limit) : d, numbered(spec.classes()), files, source);
            }
            case "images" -> new Loaded(ImageFolderReader.read(p, spec.channels(), limit), ImageFolderReader.classes(p),
                    files, source);
            default -> throw new IllegalStateException(format);
        };
    }

    private static String detect(Path p, Split split) throws IOException {
        String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            for (Split s : Split.values()) {
                String images = s.idx().prefix() + "-images-idx3-ubyte";
                if (Files.exists(p.resolve(images + ".gz")) || Files.exists(p.resolve(images))) {
                    if (s != split) {
                        boolean wanted = Files.exists(p.resolve(split.idx().images()))
                                || Files.exists(p.resolve(split.idx().prefix() + "-images-idx3-ubyte"));
                        if (!wanted) {
                            throw new SplitMissingException(p, split, s);
                        }
                    }
                    return "idx";
                }
            }
            if (Files.exists(p.resolve("test_batch.bin")) || Files.exists(p.resolve("data_batch_1.bin"))) {
                return "cifar10";
            }
            try (var s = Files.list(p)) {
                if (s.anyMatch(Files::isDirectory)) {
                    return "images";
                }
            }
            throw new DatasetFormatException(p, "cannot tell the data format: no " + split.idx().prefix()
                    + "-images-idx3-ubyte(.gz), no CIFAR-10 batches, no class sub-folders (give --data-format)");
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
