package dev.rampart.cli;

import dev.rampart.audit.source.DataSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import dev.rampart.defenses.poisoning.PoisonDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The checks and data handling that {@code sanitize} and {@code vet} share. */
final class PoisoningOptions {

    private PoisoningOptions() {
    }

    /** The spec of a data option, or {@code null} with a problem added. */
    static DataSource.Spec spec(Path path, String format, DataSource.Split split, String option, List<String> p) {
        try {
            DataSource.Spec s = new DataSource.Spec(path, format, 1, -1, false, 10, split);
            DataSource.check(s);
            return s;
        } catch (IllegalArgumentException | IOException e) {
            p.add(UsageException.dataProblem(option, e, false));
            return null;
        }
    }

    /**
     * The clean test data: {@code --test} if given, else the test split of the training data when
     * it has one (IDX, CIFAR-10, the bundled sample), else none.
     */
    static DataSource.Spec testSpec(Path test, Path data, String format, List<String> p) {
        if (test != null) {
            return spec(test, format, DataSource.Split.TEST, "--test", p);
        }
        try {
            DataSource.Spec s = new DataSource.Spec(data, format, 1, -1, false, 10, DataSource.Split.TEST);
            String f = DataSource.check(s);
            return f.equals("idx") || f.equals("cifar10") ? s : null;
        } catch (IllegalArgumentException | IOException e) {
            return null; // no test split: the report says no accuracy was measured
        }
    }

    /** @throws UsageException naming the first class of {@code d} without an example */
    static void checkEveryClass(LabeledData d, DataSource.Loaded loaded, String option) {
        int[] counts = counts(d);
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                throw new UsageException(List.of(option + " " + loaded.source() + " has no example of class "
                        + name(loaded.classNames(), c) + " (of " + counts.length + " classes)"));
            }
        }
    }

    /** @throws UsageException if {@code d}'s example shape or class count differs from {@code reference}'s */
    static void checkAgainst(LabeledData d, LabeledData reference, String source, String option) {
        if (!Arrays.equals(d.exampleShape(), reference.exampleShape()) || d.numClasses() != reference.numClasses()) {
            throw new UsageException(List.of(option + " " + source + " has examples of shape " + Arrays.toString(
                    d.exampleShape()) + " in " + d.numClasses() + " classes, but --data " + Arrays.toString(
                            reference.exampleShape()) + " in " + reference.numClasses()));
        }
    }

    /** @throws UsageException naming the classes with fewer examples than the detector needs */
    static void checkMinimum(LabeledData d, PoisonDetector detector, DataSource.Loaded loaded, String method) {
        int[] counts = counts(d);
        List<String> small = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < detector.minimumPerClass()) {
                small.add("class " + name(loaded.classNames(), c) + " has " + counts[c]);
            }
        }
        if (!small.isEmpty()) {
            throw new UsageException(List.of("--data " + loaded.source() + " is too small for " + method + ", which"
                    + " needs at least " + detector.minimumPerClass() + " examples of every class: " + String.join(
                            ", ", small)));
        }
    }

    /**
     * The attack test of the scan's reversed triggers: for every flagged class, the examples of
     * {@code data} of the other classes with its trigger applied, labeled with it.
     */
    static LabeledData triggered(NeuralCleanse.Report scan, LabeledData data) {
        List<INDArray> xs = new ArrayList<>();
        List<int[]> ys = new ArrayList<>();
        for (int c : scan.flagged()) {
            int[] others = IntStream.range(0, data.size()).filter(i -> data.labels()[i] != c).toArray();
            xs.add(scan.triggers().get(c).apply(Rows.gather(data.features(), others)));
            int[] y = new int[others.length];
            Arrays.fill(y, c);
            ys.add(y);
        }
        int[] labels = ys.stream().flatMapToInt(Arrays::stream).toArray();
        return new LabeledData(data.name() + ":reversed-trigger", Nd4j.concat(0, xs.toArray(INDArray[]::new)), labels,
                data.numClasses());
    }

    /**
     * The examples listed in {@code file}: one index per line, blank lines and lines starting with
     * {@code #} skipped (the layout of {@code removed.txt} and of {@code rampart poison}'s
     * {@code poisoned.txt}).
     *
     * @throws UsageException naming the file, the line and what is wrong with it
     */
    static boolean[] truth(Path file, int n, String data) throws IOException {
        boolean[] known = new boolean[n];
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UsageException(List.of("--truth " + file + " is not a text file of example indices"));
        }
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "--truth " + file + " line " + (k + 1) + ": ";
            int i;
            try {
                i = Integer.parseInt(line);
            } catch (NumberFormatException e) {
                throw new UsageException(List.of(where + "'" + line + "' is not an example index"));
            }
            if (i < 0 || i >= n) {
                throw new UsageException(List.of(where + "index " + i + " is outside [0, " + n + "), the examples of --data "
                        + data));
            }
            if (known[i]) {
                throw new UsageException(List.of(where + "index " + i + " is listed twice"));
            }
            known[i] = true;
        }
        return known;
    }

    /** Whether every value of {@code d}'s features lies in [0, 1], as images written to IDX must. */
    static boolean inUnitRange(LabeledData d) {
        return d.features().minNumber().doubleValue() >= 0 && d.features().maxNumber().doubleValue() <= 1;
    }

    /** The examples of each class. */
    static int[] counts(LabeledData d) {
        int[] counts = new int[d.numClasses()];
        for (int y : d.labels()) {
            counts[y]++;
        }
        return counts;
    }

    static String name(List<String> names, int c) {
        return c < names.size() ? names.get(c) : String.valueOf(c);
    }
}
