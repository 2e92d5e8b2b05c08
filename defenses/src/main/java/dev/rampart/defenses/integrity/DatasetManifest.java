package dev.rampart.defenses.integrity;

import dev.rampart.core.io.Digests;
import dev.rampart.core.data.LabeledData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A record of a labelled dataset, made when the data is ingested: a SHA-256 digest of every
 * example's features and its label, and a root digest over all of them. Verifying data against it
 * reports which examples were added, removed, changed or relabelled, by index.
 *
 * <p>An example's features digest covers its values as IEEE-754 doubles (big-endian), so a float
 * and a double copy of the same values agree; its digest is SHA-256 of the features digest and the
 * label (4 bytes, big-endian); the root is SHA-256 of the example shape, the class count and the
 * example digests in order. The manifest
 * file is text: a header (format, name, example count, example shape, classes, root), then one
 * line per example: index, label, features digest. Reading a manifest recomputes its root, so a
 * manifest edited by hand is refused. Sign the manifest file ({@link SignedFiles}) to prove who made
 * it.
 *
 * <pre>{@code
 * DatasetManifest m = DatasetManifest.of(train);
 * m.write(Path.of("train.manifest"));
 * ManifestDiff d = DatasetManifest.read(Path.of("train.manifest")).compare(trainAgain);
 * d.isIdentical();  d.relabelled();   // indices
 * }</pre>
 */
public final class DatasetManifest {

    static final String FORMAT = "rampart-manifest 1";
    private static final int CHUNK = 1024;

    private final String name;
    private final long[] exampleShape;
    private final int numClasses;
    private final byte[][] features;
    private final int[] labels;
    private final byte[] root;

    private DatasetManifest(String name, long[] exampleShape, int numClasses, byte[][] features, int[] labels) {
        this.name = name;
        this.exampleShape = exampleShape;
        this.numClasses = numClasses;
        this.features = features;
        this.labels = labels;
        this.root = root(exampleShape, numClasses, features, labels);
    }

    /** The manifest of {@code data}. */
    public static DatasetManifest of(LabeledData data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        return new DatasetManifest(data.name(), data.exampleShape(), data.numClasses(), featureDigests(data.features()),
                data.labels());
    }

    /** The features digest of every example (row) of {@code x}. */
    static byte[][] featureDigests(INDArray x) {
        int n = (int) x.size(0);
        int d = (int) (x.length() / Math.max(1, n));
        byte[][] out = new byte[n][];
        MessageDigest md = Digests.sha256();
        ByteBuffer row = ByteBuffer.allocate(d * Double.BYTES);
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            double[] v = x.get(NDArrayIndex.interval(from, to)).castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int i = from; i < to; i++) {
                row.clear();
                row.asDoubleBuffer().put(v, (i - from) * d, d);
                md.update(row.array());
                out[i] = md.digest();
            }
        }
        return out;
    }

    /**
     * The SHA-256 digest of every example (its features and label), as the manifest records them:
     * an example's identity, independent of its position (deep partition aggregation assigns
     * examples to partitions by it).
     */
    public static byte[][] exampleDigests(LabeledData data) {
        byte[][] features = featureDigests(dev.rampart.core.check.Check.notNull("data", data).features());
        int[] labels = data.labels();
        byte[][] out = new byte[features.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = exampleDigest(features[i], labels[i]);
        }
        return out;
    }

    static byte[] exampleDigest(byte[] features, int label) {
        MessageDigest md = Digests.sha256();
        md.update(features);
        md.update(ByteBuffer.allocate(4).putInt(label).array());
        return md.digest();
    }

    private static byte[] root(long[] shape, int classes, byte[][] features, int[] labels) {
        MessageDigest md = Digests.sha256();
        ByteBuffer header = ByteBuffer.allocate(8 * (shape.length + 2));
        header.putLong(shape.length);
        for (long d : shape) {
            header.putLong(d);
        }
        header.putLong(classes);
        md.update(header.array());
        for (int i = 0; i < labels.length; i++) {
            md.update(exampleDigest(features[i], labels[i]));
        }
        return md.digest();
    }

    /** Number of examples recorded. */
    public int size() {
        return labels.length;
    }

    /** The dataset's name when recorded. */
    public String name() {
        return name;
    }

    /** The root digest, hex. */
    public String root() {
        return Digests.hex(root);
    }

    /** Example {@code i}'s digest (features and label), for streaming verification. */
    byte[] exampleDigest(int i) {
        return exampleDigest(features[i], labels[i]);
    }

    byte[] featuresDigest(int i) {
        return features[i];
    }

    int label(int i) {
        return labels[i];
    }

    /** Writes the manifest as text, atomically (a failure never leaves a truncated manifest). */
    public void write(Path file) throws IOException {
        dev.rampart.core.io.AtomicFiles.write(file, tmp -> writeTo(tmp));
    }

    private void writeTo(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(FORMAT + "\n");
            w.write("name " + name.replace('\n', ' ') + "\n");
            w.write("examples " + labels.length + "\n");
            w.write("shape " + joined(exampleShape) + "\n");
            w.write("classes " + numClasses + "\n");
            w.write("root " + root() + "\n");
            for (int i = 0; i < labels.length; i++) {
                w.write(i + " " + labels[i] + " " + Digests.hex(features[i]) + "\n");
            }
        }
    }

    /**
     * Reads a manifest file, checking every line and the root digest.
     *
     * @throws IntegrityException naming the file and line that is wrong, or a root that does not
     *     match the lines
     * @throws IOException if the file cannot be read
     */
    public static DatasetManifest read(Path file) throws IOException {
        String subject = String.valueOf(file);
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int[] line = {0};
            if (!FORMAT.equals(next(r, line, subject))) {
                throw new IntegrityException(subject, "line 1: not a Rampart manifest (expected '" + FORMAT + "')");
            }
            String name = field(next(r, line, subject), "name", line[0], subject);
            int n = intField(next(r, line, subject), "examples", line[0], subject, 0);
            long[] shape = shapeField(next(r, line, subject), line[0], subject);
            int classes = intField(next(r, line, subject), "classes", line[0], subject, 1);
            byte[] root = Digests.parseSha256(field(next(r, line, subject), "root", line[0], subject));
            if (root == null) {
                throw new IntegrityException(subject, "line " + line[0] + ": the root is not 64 hex digits");
            }
            byte[][] features = new byte[n][];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                String l = r.readLine();
                line[0]++;
                if (l == null) {
                    throw new IntegrityException(subject, "ends after " + i + " of " + n + " examples");
                }
                String[] parts = l.split(" ", -1);
                byte[] digest = parts.length == 3 ? Digests.parseSha256(parts[2]) : null;
                if (digest == null || !parts[0].equals(Integer.toString(i))) {
                    throw new IntegrityException(subject, "line " + line[0] + ": expected '" + i
                            + " <label> <64 hex digits>'");
                }
                labels[i] = parseInt(parts[1], -1);
                if (labels[i] < 0 || labels[i] >= classes) {
                    throw new IntegrityException(subject, "line " + line[0] + ": label " + parts[1]
                            + " is not a class in [0, " + classes + ")");
                }
                features[i] = digest;
            }
            if (r.readLine() != null) {
                throw new IntegrityException(subject, "has lines after the " + n + " examples it declares");
            }
            DatasetManifest m = new DatasetManifest(name, shape, classes, features, labels);
            if (!Arrays.equals(m.root, root)) {
                throw new IntegrityException(subject, "the root digest does not match the examples listed (the"
                        + " manifest was edited)");
            }
            return m;
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IntegrityException(subject, "not UTF-8 text", e);
        }
    }

    /**
     * Compares {@code data} with this record.
     *
     * @throws IntegrityException if the data's example shape or class count differ from the record Examples are matched at their recorded index first,
     * then anywhere by their features digest (a match elsewhere is a move); what is left is removed
     * (recorded, not found) or added (found, not recorded), and a removed and an added example at
     * the same index are one changed example.
     */
    public ManifestDiff compare(LabeledData data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (!Arrays.equals(data.exampleShape(), exampleShape) || data.numClasses() != numClasses) {
            throw new IntegrityException(data.name(), "has examples of shape " + Arrays.toString(data.exampleShape())
                    + " in " + data.numClasses() + " classes, but manifest '" + name + "' records "
                    + Arrays.toString(exampleShape) + " in " + numClasses);
        }
        byte[][] f = featureDigests(data.features());
        int[] y = data.labels();
        int m = labels.length;
        int n = y.length;
        int[] matchOf = new int[n]; // recorded index matched to data index, or -1
        boolean[] used = new boolean[m];
        Arrays.fill(matchOf, -1);
        for (int j = 0; j < Math.min(m, n); j++) {
            if (Arrays.equals(f[j], features[j])) {
                matchOf[j] = j;
                used[j] = true;
            }
        }
        Map<String, ArrayDeque<Integer>> unusedByDigest = new HashMap<>();
        for (int i = 0; i < m; i++) {
            if (!used[i]) {
                unusedByDigest.computeIfAbsent(Digests.hex(features[i]), k -> new ArrayDeque<>()).add(i);
            }
        }
        List<int[]> moved = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (matchOf[j] < 0) {
                ArrayDeque<Integer> q = unusedByDigest.get(Digests.hex(f[j]));
                if (q != null && !q.isEmpty()) {
                    int i = q.poll();
                    matchOf[j] = i;
                    used[i] = true;
                    moved.add(new int[] {i, j});
                }
            }
        }
        List<Integer> relabelled = new ArrayList<>();
        boolean[] added = new boolean[n];
        for (int j = 0; j < n; j++) {
            if (matchOf[j] < 0) {
                added[j] = true;
            } else if (labels[matchOf[j]] != y[j]) {
                relabelled.add(j);
            }
        }
        List<Integer> changed = new ArrayList<>();
        List<Integer> removedList = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            if (!used[i]) {
                if (i < n && added[i]) {
                    changed.add(i);
                    added[i] = false;
                } else {
                    removedList.add(i);
                }
            }
        }
        List<Integer> addedList = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (added[j]) {
                addedList.add(j);
            }
        }
        return new ManifestDiff(ints(addedList), ints(removedList), ints(changed), ints(relabelled),
                moved.toArray(new int[0][]));
    }

    /**
     * Checks {@code data} against this record.
     *
     * @throws IntegrityException naming the dataset and summarizing the differences
     */
    public void verify(LabeledData data) {
        ManifestDiff d = compare(data);
        if (!d.isIdentical()) {
            throw new IntegrityException(data.name(), "does not match manifest '" + name + "' (root " + root() + "): "
                    + d);
        }
    }

    private static int[] ints(List<Integer> v) {
        return v.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String next(BufferedReader r, int[] line, String subject) throws IOException {
        String l = r.readLine();
        line[0]++;
        if (l == null) {
            throw new IntegrityException(subject, "ends in its header, at line " + line[0]);
        }
        return l;
    }

    private static String field(String l, String key, int line, String subject) {
        if (!l.startsWith(key + " ")) {
            throw new IntegrityException(subject, "line " + line + ": expected '" + key + " ...'");
        }
        return l.substring(key.length() + 1);
    }

    private static int intField(String l, String key, int line, String subject, int min) {
        int v = parseInt(field(l, key, line, subject), min - 1);
        if (v < min) {
            throw new IntegrityException(subject, "line " + line + ": " + key + " must be an integer >= " + min
                    + ", found '" + l.substring(key.length() + 1) + "'");
        }
        return v;
    }

    private static long[] shapeField(String l, int line, String subject) {
        String[] parts = field(l, "shape", line, subject).split(",", -1);
        long[] s = new long[parts.length];
        for (int k = 0; k < parts.length; k++) {
            s[k] = parseInt(parts[k], 0);
            if (s[k] <= 0) {
                throw new IntegrityException(subject, "line " + line + ": shape must be positive integers separated"
                        + " by commas, found '" + l.substring(6) + "'");
            }
        }
        return s;
    }

    private static int parseInt(String s, int otherwise) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String joined(long[] v) {
        StringBuilder b = new StringBuilder();
        for (long x : v) {
            b.append(b.length() == 0 ? "" : ",").append(x);
        }
        return b.toString();
    }
}
