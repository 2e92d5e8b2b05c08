package dev.rampart.cli;

import static dev.rampart.cli.RampartCliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.cli.RampartCliTest.Run;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rampart poison}: the drill it writes (poisoned set, triggered test images, the indices of
 * the poison) and {@code rampart sanitize --triggered --truth} measuring against it.
 */
class PoisonCliTest {

    @TempDir
    static Path dir;

    private static int[] listed(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void badnetsRelabelsTheListedExamplesOnlyAndSanitizeScoresItsRemovalAgainstThem() throws IOException {
        Path drill = dir.resolve("badnets");
        Run p = run("poison", "--attack", "badnets", "--rate", "0.1", "--target", "0", "--seed", "5", "--out",
                drill.toString());
        assertEquals(0, p.code(), p.out() + p.err());
        LabeledData clean = FashionMnist.bundledTrain();
        LabeledData poisoned = FashionMnist.load(drill, FashionMnist.Split.TRAIN, 0);
        int[] idx = listed(drill.resolve("poisoned.txt"));
        assertEquals(Math.round(0.1 * clean.size()), idx.length);
        boolean[] truth = new boolean[clean.size()];
        for (int i : idx) {
            truth[i] = true;
        }
        for (int i = 0; i < clean.size(); i++) {
            int expected = truth[i] ? 0 : clean.labels()[i];
            assertEquals(expected, poisoned.labels()[i], "label of example " + i);
            assertTrue(!truth[i] || clean.labels()[i] != 0, "a poisoned example " + i + " was of the target already");
        }
        // the patch: a checkerboard in the bottom-right corner of every poisoned image, nowhere else
        int i0 = idx[0];
        assertEquals(1.0, poisoned.features().getDouble(i0, 0, 23, 23), 1e-6);
        assertEquals(0.0, poisoned.features().getDouble(i0, 0, 23, 24), 1e-6);
        assertEquals(clean.features().getDouble(i0, 0, 5, 5), poisoned.features().getDouble(i0, 0, 5, 5), 1.0 / 255);
        LabeledData test = FashionMnist.bundledTest();
        LabeledData triggered = FashionMnist.load(drill.resolve("triggered"), FashionMnist.Split.TEST, 0);
        long others = java.util.Arrays.stream(test.labels()).filter(y -> y != 0).count();
        assertEquals(others, triggered.size());
        assertTrue(java.util.Arrays.stream(triggered.labels()).allMatch(y -> y == 0));
        JsonNode info = new ObjectMapper().readTree(drill.resolve("poison.json").toFile());
        assertEquals(idx.length, info.get("poisonedCount").asInt());
        assertEquals(0, info.get("poisonedByClass").get(0).asInt());

        Path out = dir.resolve("badnets-sanitized");
        // the drill's own test split stands in for the trusted sample here
        Run s = run("sanitize", "--data", drill.toString(), "--model", "mlp", "--epochs", "4", "--clean",
                drill.toString(), "--nc-steps", "50", "--triggered",
                drill.resolve("triggered").toString(), "--truth", drill.resolve("poisoned.txt").toString(), "--out",
                out.toString(), "--seed", "3");
        assertEquals(0, s.code(), s.out() + s.err());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(report.get("attackTest").asText().startsWith("the known trigger"), report.get("attackTest").toString());
        int[] removed = listed(out.resolve("removed.txt"));
        int hit = 0;
        for (int i : removed) {
            hit += truth[i] ? 1 : 0;
        }
        JsonNode removal = report.get("truth").get("scores").get(0);
        assertEquals("removed", removal.get("detector").asText());
        assertEquals(idx.length, report.get("truth").get("poisoned").asInt());
        assertEquals(removed.length, removal.get("flagged").asInt());
        assertEquals(hit, removal.get("truePositives").asInt());
        assertEquals((double) hit / idx.length, removal.get("recall").asDouble(), 1e-6);
        // the known trigger works on the model trained on the poison, and no longer once it is removed
        double before = report.get("before").get("attackSuccess").asDouble();
        double after = report.get("after").get("attackSuccess").asDouble();
        assertTrue(before > 0.5 && after < 0.05, "attack success " + before + " -> " + after + "\n" + s.out());
        assertTrue(removal.get("recall").asDouble() >= 0.95 && removal.get("precision").asDouble() >= 0.8,
                removal + "\n" + s.out());
        assertTrue(s.out().contains("against the " + idx.length + " examples of --truth: " + hit + " of the "
                + removed.length + " removed are poisoned"), s.out());
        assertTrue(Files.readString(out.resolve("report.html")).contains("Against the known poison"));
    }

    @Test
    void everyFamilyWritesADrillThatTheSeedFixes() throws IOException {
        LabeledData clean = FashionMnist.bundledTrain();
        for (List<String> attack : List.of(List.of("blend", "--alpha", "0.2"), List.of("wanet"),
                List.of("sig", "--target", "3"), List.of("badnets", "--all-to-all", "--patch", "square",
                        "--patch-size", "3", "--position", "2,2"), List.of("label-consistent", "--target", "2",
                        "--steps", "5"))) {
            Path a = dir.resolve(attack.get(0) + "-a");
            Path b = dir.resolve(attack.get(0) + "-b");
            Path c = dir.resolve(attack.get(0) + "-c");
            for (Object[] o : new Object[][] {{a, "7"}, {b, "7"}, {c, "8"}}) {
                List<String> args = new java.util.ArrayList<>(List.of("poison", "--attack"));
                args.addAll(attack);
                args.addAll(List.of("--rate", attack.get(0).equals("label-consistent") ? "0.01" : "0.05", "--seed",
                        (String) o[1], "--out", o[0].toString()));
                Run r = run(args.toArray(String[]::new));
                assertEquals(0, r.code(), attack + ": " + r.out() + r.err());
            }
            int[] first = listed(a.resolve("poisoned.txt"));
            assertArrayEquals(first, listed(b.resolve("poisoned.txt")), attack.toString());
            assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(listed(c.resolve(
                    "poisoned.txt"))), attack.toString());
            assertArrayEquals(Files.readAllBytes(a.resolve("train-images-idx3-ubyte.gz")),
                    Files.readAllBytes(b.resolve("train-images-idx3-ubyte.gz")), attack.toString());
            LabeledData poisoned = FashionMnist.load(a, FashionMnist.Split.TRAIN, 0);
            for (int i : first) {
                int y = clean.labels()[i];
                int expected = switch (attack.get(0)) {
                    case "sig", "label-consistent" -> y; // clean-label: the target's own images, labels kept
                    case "badnets" -> (y + 1) % 10;
                    default -> 0;
                };
                assertEquals(expected, poisoned.labels()[i], attack + ", example " + i);
                if (attack.get(0).equals("sig") || attack.get(0).equals("label-consistent")) {
                    assertEquals(attack.get(2), String.valueOf(y), attack + " poisons the target class only");
                }
                double moved = poisoned.features().slice(i).sub(clean.features().slice(i)).norm1Number().doubleValue();
                assertTrue(moved > 0, attack + ": example " + i + " carries no trigger");
            }
        }
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        Path out = dir.resolve("bad");
        String[][] cases = {
            {"--rate must be in (0, 1), found 0.0", "--attack", "badnets", "--rate", "0", "--out", out.toString()},
            {"--rate", "--attack", "badnets", "--rate", "1.5", "--out", out.toString()},
            {"--target 10 is not a class", "--attack", "badnets", "--target", "10", "--out", out.toString()},
            {"--alpha applies to blend, not to --attack badnets", "--attack", "badnets", "--alpha", "0.2", "--out",
                out.toString()},
            {"--amplitude applies to sig", "--attack", "wanet", "--amplitude", "0.1", "--out", out.toString()},
            {"--position 26,26 puts a patch of side 4 outside images of 28x28", "--attack", "badnets", "--position",
                "26,26", "--out", out.toString()},
            {"--position must be ROW,COL (two whole numbers), found '3'", "--attack", "badnets", "--position", "3",
                "--out", out.toString()},
            {"found '2,x'", "--attack", "badnets", "--position", "2,x", "--out", out.toString()},
            {"--patch-size must be in [1, 28]", "--attack", "badnets", "--patch-size", "0", "--out", out.toString()},
            {"--attack blend: alpha must be in (0, 1]", "--attack", "blend", "--alpha", "1.5", "--out",
                out.toString()},
            {"--attack wanet: strength must be in (0, 64]", "--attack", "wanet", "--warp-strength", "-1", "--out",
                out.toString()},
            {"--target and --all-to-all exclude each other", "--attack", "badnets", "--all-to-all", "--target", "3",
                "--out", out.toString()},
            {"--all-to-all applies to badnets, blend, wanet", "--attack", "sig", "--all-to-all", "--out",
                out.toString()},
            {"--epsilon applies to label-consistent, not to --attack wanet", "--attack", "wanet", "--epsilon", "0.1",
                "--out", out.toString()},
            {"--model nope.zip: no such model file", "--attack", "label-consistent", "--model", "nope.zip", "--out",
                out.toString()},
            {"asks for 2000 poisoned examples but the target class 0 has only", "--attack", "sig", "--rate", "0.5",
                "--out", out.toString()},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "poison";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertEquals(1, r.problems(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().contains(c[0]), String.join(" ", args) + "\n" + r.err());
        }
        // images that IDX cannot hold
        Path csv = Files.writeString(dir.resolve("two.csv"), "0.1,0.2,0\n0.3,0.4,1\n".repeat(30));
        Run flat = run("poison", "--attack", "badnets", "--data", csv.toString(), "--out", out.toString());
        assertEquals(2, flat.code(), flat.out() + flat.err());
        assertTrue(flat.err().contains("poison writes IDX"), flat.err());
        // an --out that cannot be made: said once, not once for each of the eight files
        Run under = run("poison", "--attack", "badnets", "--out", csv.resolve("drill").toString());
        assertEquals(2, under.code(), under.out() + under.err());
        assertEquals(1, under.problems(), under.err());
        assertTrue(under.err().contains("--out cannot create the folder " + csv.resolve("drill")), under.err());
        Run sanitizeUnder = run("sanitize", "--out", csv.resolve("clean").toString());
        assertEquals(2, sanitizeUnder.code(), sanitizeUnder.out() + sanitizeUnder.err());
        assertEquals(1, sanitizeUnder.problems(), sanitizeUnder.err());
        // the drill written over its own source: refused before anything is written
        Path drill = dir.resolve("source");
        assertEquals(0, run("poison", "--attack", "badnets", "--out", drill.toString()).code());
        byte[] images = Files.readAllBytes(drill.resolve("train-images-idx3-ubyte.gz"));
        Run over = run("poison", "--attack", "blend", "--data", drill.toString(), "--out", drill.toString());
        assertEquals(2, over.code(), over.out() + over.err());
        assertTrue(over.err().contains("is a file of the --data directory " + drill + ": writing it would destroy"
                + " the input"), over.err());
        assertArrayEquals(images, Files.readAllBytes(drill.resolve("train-images-idx3-ubyte.gz")));
        Run sanitizeOver = run("sanitize", "--data", drill.toString(), "--out", drill.toString());
        assertEquals(2, sanitizeOver.code(), sanitizeOver.out() + sanitizeOver.err());
        assertTrue(sanitizeOver.err().contains("is a file of the --data directory"), sanitizeOver.err());
    }

    @Test
    void sanitizeRefusesATruthFileOrTriggeredSetThatDoesNotFit() throws IOException {
        Path drill = dir.resolve("truth-source");
        assertEquals(0, run("poison", "--attack", "badnets", "--out", drill.toString()).code());
        Path out = dir.resolve("truth-out");
        Object[][] truths = {
            {"12\nseven\n", "line 2: 'seven' is not an example index"},
            {"# header\n\n4000\n", "line 3: index 4000 is outside [0, 4000)"},
            {"-1\n", "line 1: index -1 is outside [0, 4000)"},
            {"5\n6\n5\n", "line 3: index 5 is listed twice"},
        };
        for (Object[] t : truths) {
            Path f = Files.writeString(dir.resolve("truth.txt"), (String) t[0]);
            Run r = run("sanitize", "--data", drill.toString(), "--model", "mlp", "--epochs", "1", "--truth",
                    f.toString(), "--out", out.toString());
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals(1, r.problems(), r.err());
            assertTrue(r.err().contains("--truth " + f + " " + t[1]), r.err());
        }
        Path binary = Files.write(dir.resolve("truth.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Run bin = run("sanitize", "--data", drill.toString(), "--truth", binary.toString(), "--out", out.toString());
        assertEquals(2, bin.code(), bin.err());
        assertTrue(bin.err().contains("is not a text file of example indices"), bin.err());
        Run missing = run("sanitize", "--data", drill.toString(), "--truth", dir.resolve("nope.txt").toString(),
                "--out", out.toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("nope.txt does not exist"), missing.err());
        Path csv = Files.writeString(dir.resolve("flat.csv"), "0.1,0.2,0\n0.3,0.4,1\n".repeat(30));
        Run shape = run("sanitize", "--data", drill.toString(), "--model", "mlp", "--epochs", "1", "--triggered",
                csv.toString(), "--out", out.toString());
        assertEquals(2, shape.code(), shape.err());
        assertTrue(shape.err().contains("--triggered " + csv + " has examples of shape"), shape.err());
    }
}
