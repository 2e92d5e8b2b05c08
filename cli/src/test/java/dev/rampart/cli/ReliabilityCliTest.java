package dev.rampart.cli;

import static dev.rampart.cli.RampartCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rampart.cli.RampartCliTest.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classes of defect a hostile user found: numbers computed from overflowed or non-finite
 * values, data files whose parts disagree, baselines that do not correspond to the run, a scan of
 * the wrong split, outputs that overwrite each other or an input, and errors that do not say what
 * failed. Each must be one line naming the option or file, with exit code 2, before any work.
 */
class ReliabilityCliTest {

    @TempDir
    Path dir;

    /** One run of the tool that must be a usage error with one problem line containing {@code part}. */
    private static Run usage(String part, String... args) {
        Run r = run(args);
        assertEquals(Rampart.USAGE, r.code(), String.join(" ", args) + ": " + r.out() + r.err());
        assertEquals(1, r.problems(), "one line: " + r.err());
        assertTrue(r.err().contains(part), "should mention '" + part + "': " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains(": null"), "no stack trace, no null: " + r.err());
        return r;
    }

    @Test
    void privacyArithmeticOnUserNumbersIsChecked() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // the step count overflows a long: it used to saturate and print a far too small epsilon
            usage("--epochs 1.0E30 gives", "privacy", "--dataset-size", "60000", "--batch-size", "1",
                    "--noise-multiplier", "1", "--epochs", "1e30", "--delta", "1e-5");
            // a noise multiplier so small that the privacy loss leaves the doubles: refused, and at once
            usage("--noise-multiplier 1.0E-300", "privacy", "--dataset-size", "60000", "--batch-size", "256",
                    "--noise-multiplier", "1e-300", "--epochs", "1", "--delta", "1e-5");
            // an order whose sum would take 10^12 terms
            usage("--orders must all be above 1 and at most 10000", "privacy", "--dataset-size", "60000",
                    "--batch-size", "256", "--noise-multiplier", "1", "--epochs", "1", "--delta", "1e-5",
                    "--orders", "1e12");
            usage("--epochs must be positive", "privacy", "--dataset-size", "60000", "--batch-size", "256",
                    "--noise-multiplier", "1", "--epochs", "NaN", "--delta", "1e-5");
        });
    }

    @Test
    void idxFilesWhoseCountsDifferAreRefused() throws IOException {
        Path data = dir.resolve("idx");
        writeIdx(data, "t10k", 30, 31);
        Run r = usage("holds 30 images but", "audit", "--models", "standard", "--data", data.toString(), "--samples",
                "10", "--out", "none");
        assertTrue(r.err().contains("31 labels"), r.err());
    }

    @Test
    void scanReadsTheTrainingSplitAndSaysWhichFiles() throws IOException {
        Path data = dir.resolve("both");
        writeIdx(data, "train", 300, 300);
        writeIdx(data, "t10k", 40, 40);
        Run r = run("scan", "--model", "standard", "--data", data.toString(), "--method", "spectral-signatures");
        assertEquals(Rampart.OK, r.code(), r.err());
        assertTrue(r.out().contains("train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz in " + data
                + " (300 examples)"), r.out());
        Path onlyTrain = dir.resolve("train-only");
        writeIdx(onlyTrain, "train", 300, 300);
        assertEquals(Rampart.OK, run("scan", "--model", "standard", "--data", onlyTrain.toString(), "--method",
                "spectral-signatures").code(), "a folder of training files is a training set");
        usage("no t10k-* (test) files: give --split train", "audit", "--models", "standard", "--data",
                onlyTrain.toString(), "--samples", "10", "--out", "none");
        // vet has no --split: the line says what is missing and offers no option it lacks
        Run vet = usage("holds train-* (train) IDX files but no t10k-* (test) files", "vet", "--model", "standard",
                "--data", onlyTrain.toString());
        assertFalse(vet.err().contains("--split"), vet.err());
        Run test = run("scan", "--model", "standard", "--data", data.toString(), "--split", "test", "--method", "knn");
        assertEquals(Rampart.USAGE, test.code(), "40 test images are too few for the k-NN scan: " + test.err());
        assertTrue(test.err().contains("too small for knn") && test.err().contains("class "), test.err());
    }

    @Test
    void spectreJudgesClassesAgainstATrustedReference() throws IOException {
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        dev.rampart.core.data.IdxWriter.write(dev.rampart.core.data.FashionMnist.bundledTest(), trusted, "t10k");
        Path json = dir.resolve("spectre-ref.json");
        Run r = run("scan", "--model", "standard", "--method", "spectre", "--reference", trusted.toString(), "--out",
                json.toString());
        assertEquals(Rampart.OK, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(dev.rampart.core.data.FashionMnist.bundledTest().size(), report.get("config").get(
                "referenceExamples").asInt(), report.toString());
        assertEquals(0, report.get("flaggedCount").asInt(), "the clean bundled sample: " + r.out());
        assertTrue(report.get("classes").get(0).get("figures").has("excessZ"), report.toString());
        usage("--reference works with --method spectre, not activation-clustering", "scan", "--model", "standard",
                "--reference", trusted.toString());
        Path few = dir.resolve("few");
        writeIdx(few, "t10k", 40, 40);
        usage("has too few images to judge a class against, at least 20 of every class", "scan", "--model",
                "standard", "--method", "spectre", "--reference", few.toString());
    }

    @Test
    void scanRefusesAModelOfAnotherClassCount() throws IOException {
        Path images = dir.resolve("three-classes");
        for (String cls : new String[] {"a", "b", "c"}) {
            Files.createDirectories(images.resolve(cls));
            for (int k = 0; k < 25; k++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28,
                        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setSample(k, k, 0, 200);
                javax.imageio.ImageIO.write(img, "png", images.resolve(cls).resolve(k + ".png").toFile());
            }
        }
        usage("--model standard has 10 classes but --data", "scan", "--model", "standard", "--data", images.toString());
    }

    @Test
    void aBaselineMustCorrespondToTheRun() throws IOException {
        Path json = dir.resolve("base.json");
        Run first = run("audit", "--models", "standard", "--samples", "20", "--epsilons", "0.1", "--attacks", "fgsm",
                "--out", json.toString());
        assertEquals(Rampart.OK, first.code(), first.err());
        // another norm: a regression that does not exist would be reported
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(json.toFile());
        root.put("norm", "L2");
        Path l2 = dir.resolve("l2.json");
        new ObjectMapper().writeValue(l2.toFile(), root);
        usage("measured in L2 and this run in LINF", "audit", "--models", "standard", "--samples", "20",
                "--epsilons", "0.1", "--attacks", "fgsm", "--out", "none", "--baseline", l2.toString());
        // other model names: nothing would be compared
        String renamed = Files.readString(json).replace("\"name\" : \"standard\"", "\"name\" : \"other\"");
        Path other = dir.resolve("other.json");
        Files.writeString(other, renamed);
        usage("has no result for this run's models", "audit", "--models", "standard", "--samples", "20", "--epsilons",
                "0.1", "--attacks", "fgsm", "--out", "none", "--baseline", other.toString());
        // a robust accuracy outside [0, 1]
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, Files.readString(json).replaceFirst("\"robustAccuracy\" : [0-9.]+",
                "\"robustAccuracy\" : 1.5"));
        usage("robustAccuracy must be a share in [0, 1], found 1.5", "audit", "--models", "standard", "--samples",
                "20", "--epsilons", "0.1", "--attacks", "fgsm", "--out", "none", "--baseline", bad.toString());
    }

    @Test
    void outputsThatAreOneFileOrAnInputAreRefusedBeforeAnyWork() throws IOException {
        Path r = dir.resolve("r.json");
        usage("are the same file", "audit", "--samples", "10", "--out", r.toString(), "--html",
                dir.resolve("x/../r.json").toString());
        usage("are the same file", "audit", "--samples", "10", "--out", r.toString(), "--junit", r.toString());
        assertFalse(Files.exists(r), "nothing written");
        Path model = dir.resolve("model.zip");
        Files.copy(RampartCliTest.class.getResourceAsStream("/dev/rampart/core/model/zoo/reference-cnn-fashion-mnist.zip"),
                model);
        long size = Files.size(model);
        usage("writing it would destroy the input", "audit", "--models", model.toString(), "--samples", "10",
                "--out", model.toString());
        assertEquals(size, Files.size(model), "the model is untouched");
        Path key = dir.resolve("k.pem");
        usage("are the same file", "keygen", "--private", key.toString(), "--public", dir.resolve("./k.pem").toString());
        assertFalse(Files.exists(key), "no key written");
        usage("cannot write", "audit", "--samples", "10", "--out", "/proc/rampart-audit.json");
        usage("--out", "train", "--epochs", "3", "--out", "/proc/rampart-model.zip");
    }

    @Test
    void keyFilesOfAnotherKindAreUsageErrors() throws IOException {
        Path priv = dir.resolve("k.key");
        Path pub = dir.resolve("k.pub");
        assertEquals(Rampart.OK, run("keygen", "--private", priv.toString(), "--public", pub.toString()).code());
        Path file = dir.resolve("model.bin");
        Files.write(file, new byte[] {1, 2, 3});
        usage("holds a PEM 'PUBLIC KEY' block", "sign", "--key", pub.toString(), file.toString());
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "just some text\n");
        usage("not a key file", "sign", "--key", text.toString(), file.toString());
        Path empty = dir.resolve("empty.key");
        Files.write(empty, new byte[0]);
        usage("is empty", "sign", "--key", empty.toString(), file.toString());
        String pem = Files.readString(priv);
        Path cut = dir.resolve("cut.key");
        Files.writeString(cut, pem.substring(0, pem.indexOf("-----END")));
        usage("truncated PEM block", "sign", "--key", cut.toString(), file.toString());
        Path rsa = dir.resolve("rsa.key");
        Files.writeString(rsa, "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n");
        usage("an RSA key", "sign", "--key", rsa.toString(), file.toString());
    }

    @Test
    void damagedFilesAreNamedInOneLine() throws IOException {
        byte[] zip = RampartCliTest.class.getResourceAsStream(
                "/dev/rampart/core/model/zoo/reference-cnn-fashion-mnist.zip").readAllBytes();
        // the central directory's first local-header offset points past the end of the file
        int eocd = lastIndexOf(zip, new byte[] {'P', 'K', 5, 6});
        int cd = ByteBuffer.wrap(zip, eocd + 16, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] damaged = zip.clone();
        ByteBuffer.wrap(damaged, cd + 42, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(100_000_000);
        Path z = dir.resolve("damaged.zip");
        Files.write(z, damaged);
        usage("damaged.zip", "audit", "--models", z.toString(), "--samples", "10", "--out", "none");
        byte[] h5 = RampartCliTest.class.getResourceAsStream("/models/keras-sequential-mlp.h5").readAllBytes();
        Path cut = dir.resolve("cut.h5");
        Files.write(cut, java.util.Arrays.copyOf(h5, h5.length - 10));
        Run r = usage("truncated HDF5 file", "audit", "--models", cut.toString(), "--samples", "10", "--out", "none",
                "--input-shape", "784");
        assertFalse(r.err().contains("HDF5-DIAG"), "no native diagnostics: " + r.err());
        Path zeroed = dir.resolve("zeroed.h5");
        byte[] z2 = h5.clone();
        java.util.Arrays.fill(z2, 100, 140, (byte) 0);
        Files.write(zeroed, z2);
        Run z2r = run("audit", "--models", zeroed.toString(), "--samples", "10", "--out", "none", "--input-shape",
                "784");
        assertEquals(Rampart.USAGE, z2r.code());
        assertTrue(z2r.err().lines().count() <= 2 && z2r.err().contains("zeroed.h5"), z2r.err());
    }

    @Test
    void extremeNumbersOfTheAuditAreRefusedByName() {
        usage("--classes must be in [2, 100000]", "audit", "--samples", "10", "--out", "none", "--classes",
                "2000000000");
        usage("--input-shape", "audit", "--samples", "10", "--out", "none", "--input-shape",
                "3000000000,3000000000,3000000000");
    }

    private static int lastIndexOf(byte[] b, byte[] what) {
        for (int i = b.length - what.length; i >= 0; i--) {
            if (java.util.Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Writes gzipped IDX files {@code prefix-images-idx3-ubyte.gz} (28x28, from the bundled sample)
     * and {@code prefix-labels-idx1-ubyte.gz} declaring {@code images} and {@code labels} examples.
     */
    static void writeIdx(Path dir, String prefix, int images, int labels) throws IOException {
        Files.createDirectories(dir);
        dev.rampart.core.data.LabeledData sample = dev.rampart.core.data.FashionMnist.bundledTrain();
        ByteBuffer img = ByteBuffer.allocate(16 + images * 784);
        img.putInt(0x803).putInt(images).putInt(28).putInt(28);
        float[] px = sample.features().data().asFloat();
        for (int i = 0; i < images * 784; i++) {
            img.put((byte) Math.round(px[i % px.length] * 255));
        }
        ByteBuffer lab = ByteBuffer.allocate(8 + labels);
        lab.putInt(0x801).putInt(labels);
        int[] y = sample.labels();
        for (int i = 0; i < labels; i++) {
            lab.put((byte) y[i % y.length]);
        }
        gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz"), img.array());
        gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), lab.array());
    }

    private static void gzip(Path file, byte[] bytes) throws IOException {
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }
}
