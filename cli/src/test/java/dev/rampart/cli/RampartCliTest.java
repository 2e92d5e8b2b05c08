package dev.rampart.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool through its real entry point: arguments in, exit code and output out. */
class RampartCliTest {

    @TempDir
    Path dir;

    /** Exit code, standard output and standard error of one run. */
    record Run(int code, String out, String err) {
        /** The error lines that name a problem (not the hint). */
        long problems() {
            return err.lines().filter(l -> !l.startsWith("hint:") && !l.isBlank()).count();
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Rampart.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void versionAndHelp() {
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().contains("Rampart ") && v.out().contains("ND4J 1.0.0-M2.1") && v.out().contains("backend CPU")
                && v.out().contains("Java 17"), v.out());
        Run h = run("audit", "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("--require") && h.out().contains("--html") && h.out().contains("--baseline"), h.out());
        assertEquals(0, run("train", "--help").code());
        assertEquals(0, run().code(), "no subcommand prints the usage");
    }

    @Test
    void everyCommandsHelpIsFormattedWithoutWarnings() {
        // picocli reports a description it cannot format (a lone % in it) on System.err, not on the tool's err
        PrintStream saved = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
        collect(new picocli.CommandLine(new Rampart()), new java.util.ArrayList<>(), paths);
        assertTrue(paths.size() > 10, paths.toString());
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            for (java.util.List<String> path : paths) {
                java.util.List<String> args = new java.util.ArrayList<>(path);
                args.add("--help");
                Run h = run(args.toArray(String[]::new));
                assertEquals(0, h.code(), path + ": " + h.err());
                assertTrue(h.out().contains("Usage: rampart"), path + ": " + h.out());
                assertFalse(h.out().contains("%n"), path + ": " + h.out());
            }
        } finally {
            System.setErr(saved);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }

    /** The command paths under {@code c}, each as the words after {@code rampart}. */
    private static void collect(picocli.CommandLine c, java.util.List<String> path,
            java.util.List<java.util.List<String>> paths) {
        paths.add(path);
        for (var e : c.getSubcommands().entrySet()) {
            java.util.List<String> sub = new java.util.ArrayList<>(path);
            sub.add(e.getKey());
            collect(e.getValue(), sub, paths);
        }
    }

    @Test
    void anAuditWritesEveryReportAndAFailedGateExitsOne() throws IOException {
        Path json = dir.resolve("r/a.json");
        Path html = dir.resolve("r/a.html");
        Path junit = dir.resolve("r/a.xml");
        Run r = run("audit", "--models", "standard", "--samples", "40", "--epsilons", "0.05,0.1", "--attacks",
                "fgsm,pgd", "--steps", "5", "--out", json.toString(), "--html", html.toString(), "--junit",
                junit.toString(), "--require", "pgd@0.1>=0", "--require", "clean>=99.5%");
        assertEquals(Rampart.GATE_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("GATE FAILED: standard: clean accuracy is") && r.out().contains("gate passed:"),
                r.out());
        assertFalse(r.out().contains("AuditConfig["), "no raw configuration record");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, root.get("schemaVersion").asInt());
        JsonNode row = root.get("models").get(0).get("results").get(0);
        assertEquals("fgsm", row.get("option").asText());
        assertEquals(0.05, row.get("epsilon").asDouble());
        assertEquals(2, row.get("interval").size());
        String accuracy = row.get("robustAccuracy").toString();
        assertTrue(accuracy.length() <= 8, "no float noise: " + accuracy);
        assertFalse(root.get("gates").get(1).get("passed").asBoolean());
        String xml = Files.readString(junit);
        assertTrue(xml.contains("<testsuites") && xml.contains("name=\"PGD-5 at epsilon 0.1\"")
                && xml.contains("<failure") && xml.contains("failures=\"1\""), xml);
        String page = Files.readString(html);
        assertTrue(page.contains("<svg") && page.contains("data:image/png;base64,") && page.contains("Per class")
                && page.contains("FAILED"), "self-contained HTML with plots, gallery and gates");
        assertFalse(page.contains("http://") && page.contains("<script src"), "nothing loaded from the network");

        // the same run as a baseline passes; a baseline with better figures fails by the drop
        Run same = run("audit", "--models", "standard", "--samples", "40", "--epsilons", "0.05,0.1", "--attacks",
                "fgsm,pgd", "--steps", "5", "--out", "none", "--baseline", json.toString());
        assertEquals(0, same.code(), same.out() + same.err());
        String better = Files.readString(json).replaceAll("\"robustAccuracy\" : [0-9.]+", "\"robustAccuracy\" : 1.0");
        Path best = dir.resolve("best.json");
        Files.writeString(best, better);
        Run worse = run("audit", "--models", "standard", "--samples", "40", "--epsilons", "0.05,0.1", "--attacks",
                "fgsm,pgd", "--steps", "5", "--out", "none", "--baseline", best.toString(), "--tolerance", "0.02");
        assertEquals(Rampart.GATE_FAILED, worse.code());
        assertTrue(worse.out().contains("baseline 100.0%"), worse.out());
    }

    @Test
    void badOptionsAndFilesGiveOneLineEachAndExitTwo() throws IOException {
        Path model = dir.resolve("model.zip");
        Files.write(model, new byte[] {1, 2, 3});
        String[][] cases = {
            {"--samples", "ten"}, {"--seed", "0.5"}, {"--seed", "1e30"}, {"--epsilons", "0.1,-1"},
            {"--attacks", "bim"}, {"--norm", "l3"}, {"--models", "nope.zip"}, {"--models", dir.toString()},
            {"--models", "standard,,robust"}, {"--model", model.toString()}, {"--out", "/etc/passwd/audit.json"},
            {"--html", dir.toString()}, {"--require", "pgd@0.1>=2"}, {"--require", "bim@0.1>=0.5"},
            {"--require", "pgd@0.3>=0.5"}, {"--baseline", model.toString()}, {"--data", "/no/such/dir"},
            {"--domain", "1,0"}, {"--mean", "0.5"}, {"--queries", "0"}, {"--bogus"}, {"--steps"}};
        for (String[] c : cases) {
            Run r = run(concat(new String[] {"audit", "--samples", "10"}, c));
            assertEquals(Rampart.USAGE, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.problems(), String.join(" ", c) + " gives one line: " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
            assertTrue(r.out().isEmpty() || !r.out().contains("total"), "nothing ran");
        }
        Run two = run("audit", "--samples", "0", "--steps", "0", "--out", "none");
        assertEquals(2, two.problems(), "one line per problem: " + two.err());
        Run named = run("audit", "--steps", "0", "--out", "none");
        assertTrue(named.err().contains("--steps must be positive, found 0"), named.err());
        Run corrupt = run("audit", "--model", model.toString(), "--samples", "10", "--out", "none");
        assertTrue(corrupt.err().contains("model.zip") && corrupt.err().contains("not a DL4J model zip"), corrupt.err());
        Path cut = dir.resolve("cut.zip");
        byte[] whole = fixture("keras-sequential-mlp.h5");
        java.util.Arrays.fill(whole, 100, 140, (byte) 0); // a whole superblock, a damaged body: fails in the import
        Files.write(cut, whole);
        Run verbose = run("audit", "--model", cut.toString(), "--samples", "10", "--out", "none", "--verbose");
        assertEquals(Rampart.USAGE, verbose.code());
        assertTrue(verbose.err().contains("cut.zip") && verbose.err().contains("\tat "), "--verbose adds the stack trace: "
                + verbose.err());
    }

    @Test
    void aKerasModelOnCsvDataIsAuditedThroughTheTool() throws Exception {
        JsonNode e = new ObjectMapper().readTree(fixture("expected.json")).get("keras-sequential-mlp.h5");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < e.get("inputs").size(); i++) {
            JsonNode x = e.get("inputs").get(i);
            JsonNode p = e.get("probabilities").get(i);
            int label = 0;
            for (int k = 1; k < p.size(); k++) {
                label = p.get(k).asDouble() > p.get(label).asDouble() ? k : label;
            }
            for (JsonNode v : x) {
                csv.append(v.asDouble()).append(',');
            }
            csv.append(label).append('\n');
        }
        Path data = dir.resolve("mlp.csv");
        Files.writeString(data, csv);
        Path modelFile = dir.resolve("keras-sequential-mlp.h5");
        Files.write(modelFile, fixture("keras-sequential-mlp.h5"));
        String model = modelFile.toString();
        Run r = run("audit", "--model", model, "--data", data.toString(), "--classes", "3", "--samples", "4",
                "--epsilons", "0.1", "--attacks", "pgd", "--require", "clean>=1.0", "--out", "none");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("gate passed") && r.out().contains("100.0%"), "labels are the model's own: " + r.out());
    }

    @Test
    void onnxModelsAreAuditedWhiteBoxAndAnUnsupportedOneAsABlackBox(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path fixtures = Path.of("../core/src/test/resources/onnx/fixtures");
        Path json = dir.resolve("r.json");
        Run r = run("audit", "--models", fixtures.resolve("cnn.onnx") + "," + fixtures.resolve("resnet.onnx"),
                "--samples", "20", "--epsilons", "0.1", "--attacks", "pgd", "--out", json.toString(), "--junit",
                dir.resolve("r.xml").toString(), "--html", dir.resolve("r.html").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String report = Files.readString(json);
        assertTrue(report.contains("ONNX, white-box; logits: the input of node '/Softmax'")
                && report.contains("ONNX, white-box; logits: output 'output'"), report);
        Run refused = run("audit", "--models", fixtures.resolve("gelu-mlp.onnx").toString(), "--samples", "5",
                "--out", "none");
        assertEquals(Rampart.USAGE, refused.code());
        assertTrue(refused.err().contains("node '/Erf' (Erf) at opset 13")
                && refused.err().contains("black-box mode still applies"), refused.err());
        Path bb = dir.resolve("bb.json");
        Run blackBox = run("audit", "--models", fixtures.resolve("gelu-mlp.onnx").toString(), "--attacks", "square,hsj",
                "--norm", "l2", "--queries", "50", "--samples", "8", "--epsilons", "1.0", "--out", bb.toString(), "--junit",
                dir.resolve("bb.xml").toString(), "--html", dir.resolve("bb.html").toString());
        assertEquals(0, blackBox.code(), blackBox.out() + blackBox.err());
        assertTrue(Files.readString(bb).contains("black-box through ONNX Runtime, because node '/Erf' (Erf)"));
        assertTrue(blackBox.out().contains("HopSkipJump-50"), blackBox.out());
    }

    @Test
    void keygenSignVerifyAndManifestWorkAndRefuseTamperedFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        String key = dir.resolve("k.key").toString();
        String pub = dir.resolve("k.pub").toString();
        assertEquals(0, run("keygen", "--private", key, "--public", pub).code());
        assertEquals(2, run("keygen", "--private", key, "--public", pub).code(), "no silent overwrite");
        java.nio.file.Path file = dir.resolve("model.bin");
        java.nio.file.Files.write(file, new byte[] {1, 2, 3, 4, 5});
        assertEquals(0, run("sign", "--key", key, file.toString()).code());
        Run ok = run("verify", "--key", pub, file.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("verified " + file), ok.out());
        java.nio.file.Files.write(file, new byte[] {1, 2, 3, 4, 6});
        Run bad = run("verify", "--key", pub, file.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("REFUSED " + file + ": content differs from what was signed"), bad.err());
        assertEquals(2, run("verify", "--key", pub, dir.resolve("missing").toString()).code());
        Run privateForPublic = run("verify", "--key", key, file.toString());
        assertEquals(Rampart.USAGE, privateForPublic.code(), "a private key is not a public key: a usage error");
        assertTrue(privateForPublic.err().contains("holds a PEM 'PRIVATE KEY' block"), privateForPublic.err());

        String manifest = dir.resolve("sample.manifest").toString();
        assertEquals(0, run("manifest", "--out", manifest).code());
        Run same = run("manifest", "--check", manifest);
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().startsWith("data: the bundled Fashion-MNIST train sample (4000 examples)")
                && same.out().contains("\nidentical to"), same.out());
        java.util.List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(
                java.nio.file.Path.of(manifest)));
        lines.set(10, lines.get(10).replaceFirst(" [0-9] ", " 9 ")); // relabel example 4 in the record
        java.nio.file.Files.write(java.nio.file.Path.of(manifest), lines);
        Run edited = run("manifest", "--check", manifest);
        assertEquals(1, edited.code());
        assertTrue(edited.err().contains("the root digest does not match"), edited.err());
        assertEquals(2, run("manifest", "--out", manifest, "--check", manifest).code());
        Run missing = run("manifest", "--check", dir.resolve("none.manifest").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--check " + dir.resolve("none.manifest") + ": no such file"), missing.err());
        Run noKey = run("verify", "--key", dir.resolve("none.pub").toString(), file.toString());
        assertEquals(2, noKey.code());
        assertTrue(noKey.err().contains("--key " + dir.resolve("none.pub") + ": no such file"), noKey.err());
    }

    @Test
    void scanReportsEveryClassAndWritesTheFlagged(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        java.nio.file.Path flagged = dir.resolve("flagged.txt");
        java.nio.file.Path json = dir.resolve("scan.json");
        Run r = run("scan", "--model", "standard", "--method", "spectral-signatures", "--expected-poison-rate", "0.05",
                "--flagged", flagged.toString(), "--fail-on-flag", "--out", json.toString());
        assertEquals(1, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("spectral signatures", report.get("detector").asText());
        assertEquals(0.05, report.get("config").get("expectedPoisonRate").asDouble(), 0);
        assertEquals("CLEAN", report.get("classes").get(0).get("verdict").asText());
        assertTrue(report.get("classes").get(0).get("figures").has("topDirectionVarianceShare"), report.toString());
        assertEquals("1.0.0-M2.1", report.get("provenance").get("nd4j").asText());
        assertEquals(report.get("flaggedCount").asInt(), report.get("flagged").size());
        assertEquals(10, r.out().lines().filter(l -> l.startsWith("class ")).count(), r.out());
        assertTrue(r.out().contains("data: the bundled Fashion-MNIST train sample (4000 examples)"), r.out());
        // 1.5 x 5% of each class of the 4,000 bundled training images
        int lines = java.nio.file.Files.readAllLines(flagged).size();
        assertTrue(lines >= 290 && lines <= 310, lines + " flagged lines");
        Run bad = run("scan", "--model", "standard", "--expected-poison-rate", "2", "--seed", "1");
        assertEquals(2, bad.code());
        assertEquals(1, bad.problems(), bad.err());
        Run method = run("scan", "--model", "standard", "--method", "magic");
        assertEquals(2, method.code());
        assertTrue(method.err().contains("expected one of [activation-clustering, spectral-signatures, knn, spectre] but was"
                + " 'magic'"), method.err());
    }

    @Test
    void privacyPrintsOneLineInTheDocumentedForm() {
        // sampling rate 1000 / 25000 = 0.04 and ceil(90 * 25000 / 1000) = 2,250 steps: Opacus gives 7.32911117143
        Run r = run("privacy", "--dataset-size", "25000", "--batch-size", "1000", "--noise-multiplier", "1.5",
                "--epochs", "90", "--delta", "1e-5");
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^epsilon=([0-9.eE+-]+) order=([0-9.]+)\\R?$")
                .matcher(r.out());
        assertTrue(m.matches(), "one line: " + r.out());
        assertEquals(7.32911117143, Double.parseDouble(m.group(1)), 7.33e-6);
        Run orders = run("privacy", "--dataset-size", "25000", "--batch-size", "1000", "--noise-multiplier", "1.5",
                "--epochs", "90", "--delta", "1e-5", "--orders", "1.5,2,3.5,8");
        assertTrue(orders.out().matches("epsilon=[0-9.]+ order=(1.5|2|3.5|8)\\R?"), orders.out());
        Run calibrated = run("privacy", "--dataset-size", "25000", "--batch-size", "1000", "--target-epsilon",
                "7.32911117143", "--epochs", "90", "--delta", "1e-5");
        assertEquals(0, calibrated.code(), calibrated.err());
        assertTrue(calibrated.out().startsWith("noise_multiplier="), calibrated.out());
        assertEquals(1.5, Double.parseDouble(calibrated.out().trim().substring("noise_multiplier=".length())), 1e-6);
        String[][] bad = {{"--noise-multiplier", "0"}, {"--noise-multiplier", "-1"}, {"--delta", "1"},
            {"--delta", "0"}, {"--batch-size", "30000"}, {"--target-epsilon", "0", "--noise-multiplier", "1"}};
        for (String[] b : bad) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("privacy", "--dataset-size",
                    "25000", "--batch-size", "1000", "--epochs", "90", "--delta", "1e-5"));
            for (int i = 0; i < b.length; i += 2) {
                int at = args.indexOf(b[i]);
                if (at >= 0) {
                    args.set(at + 1, b[i + 1]);
                } else {
                    args.add(b[i]);
                    args.add(b[i + 1]);
                }
            }
            if (!args.contains("--noise-multiplier") && !args.contains("--target-epsilon")) {
                args.addAll(java.util.List.of("--noise-multiplier", "1.5"));
            }
            Run e = run(args.toArray(new String[0]));
            assertEquals(Rampart.USAGE, e.code(), String.join(" ", b) + ": " + e.out() + e.err());
            assertTrue(e.err().contains(b[0].equals("--target-epsilon") ? "exactly one" : b[0]), e.err());
        }
    }

    @Test
    void trainChecksItsOptionsAndWritesTheModel() throws IOException {
        Run bad = run("train", "--lr", "0", "--batch", "0", "--steps", "0");
        assertEquals(Rampart.USAGE, bad.code());
        assertEquals(3, bad.problems(), bad.err());
        // one epoch: the default warmup (2) shrinks to it; a warmup given longer than the run is refused
        Run oneEpoch = run("train", "--epochs", "1", "--steps", "0");
        assertEquals(1, oneEpoch.problems(), oneEpoch.err());
        Run longWarmup = run("train", "--epochs", "1", "--warmup", "2");
        assertTrue(longWarmup.err().contains("--warmup must be in [0, --epochs=1], found 2"), longWarmup.err());
        Run method = run("train", "--method", "fgsm");
        assertEquals(Rampart.USAGE, method.code());
        assertTrue(method.err().contains("expected one of [standard, pgd, fast-fgsm, trades, gaussian, smooth-adv, ibp, crown-ibp] but was 'fgsm'"),
                method.err());
        Path out = dir.resolve("m.zip");
        Run ok = run("train", "--method", "fast-fgsm", "--epochs", "2", "--warmup", "0", "--validation", "3800",
                "--lr-drop", "0", "--keep", "last", "--checkpoints", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        for (String name : new String[] {"m.zip", "m-epoch1.zip", "m-epoch2.zip"}) {
            assertTrue(Files.size(dir.resolve(name)) > 100_000, name);
        }
        assertEquals(Files.readAllBytes(dir.resolve("m-epoch2.zip")).length, Files.readAllBytes(out).length);
        Run standard = run("train", "--method", "standard", "--model", "mlp", "--epochs", "1", "--validation", "3800",
                "--out", dir.resolve("s.zip").toString());
        assertEquals(0, standard.code(), standard.err());
        assertTrue(standard.out().contains("held-out accuracy"), standard.out());
    }

    /** A model fixture of rampart-audit's tests (Keras files and their expected outputs), as bytes. */
    static byte[] fixture(String name) throws IOException {
        try (java.io.InputStream in = RampartCliTest.class.getResourceAsStream("/models/" + name)) {
            if (in == null) {
                throw new IOException("test fixture /models/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
