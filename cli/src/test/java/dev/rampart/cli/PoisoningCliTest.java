package dev.rampart.cli;

import static dev.rampart.cli.RampartCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.cli.RampartCliTest.Run;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.IdxWriter;
import dev.rampart.core.data.LabeledData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rampart sanitize} and {@code rampart vet} end to end on a BadNets-poisoned copy of the
 * bundled training sample (10% of the images stamped with a 4x4 checkerboard and labeled
 * T-shirt/top), written as IDX files next to the bundled test sample.
 */
class PoisoningCliTest {

    @TempDir
    static Path dir;
    static Path poisonedDir;
    static Path trusted;
    static PoisonedData poisoned;

    @BeforeAll
    static void writePoisonedData() throws IOException {
        LabeledData train = FashionMnist.bundledTrain();
        poisoned = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.1, 5).poison(train);
        poisonedDir = Files.createDirectories(dir.resolve("poisoned"));
        IdxWriter.write(poisoned.data(), poisonedDir, "train");
        LabeledData test = FashionMnist.bundledTest();
        IdxWriter.write(test.slice(500, 1000), poisonedDir, "t10k");
        trusted = Files.createDirectories(dir.resolve("trusted"));
        IdxWriter.write(test.slice(0, 500), trusted, "t10k");
    }

    /** The reference MLP trained 4 epochs on the poisoned set (seed 3), written to {@code name} in the temp dir. */
    static Path trainedOnThePoison(String name) {
        Path model = dir.resolve(name);
        Run t = run("train", "--method", "standard", "--model", "mlp", "--data", poisonedDir.toString(), "--epochs", "4",
                "--validation", "0", "--out", model.toString(), "--seed", "3");
        assertEquals(0, t.code(), t.err());
        return model;
    }

    @Test
    void vetFindsTheBackdoorSanitizeRemovesItAndTheRetrainedModelPassesTheGate() throws IOException {
        Path poisonedModel = trainedOnThePoison("poisoned-model.zip");

        Path json = dir.resolve("vet.json");
        Path triggers = dir.resolve("triggers");
        // the reference MLP keeps the test short; 150 Neural Cleanse steps per class suffice here (default 300)
        Run v = run("vet", "--model", poisonedModel.toString(), "--data", trusted.toString(), "--steps", "150",
                "--seed", "3", "--out", json.toString(), "--triggers", triggers.toString(), "--fail-on-backdoor");
        assertEquals(1, v.code(), v.out() + v.err());
        assertTrue(v.out().contains("verdict: BACKDOORED: class 0 is a backdoor target"), v.out());
        JsonNode vet = new ObjectMapper().readTree(json.toFile());
        assertEquals("backdoored", vet.get("verdict").asText());
        assertTrue(vet.get("neuralCleanse").get("classes").get(0).get("anomalyIndex").asDouble() > 2, vet.toString());
        assertTrue(vet.get("strip").get("triggeredFlagged").get("0").asDouble() > 0.5, vet.toString());
        assertTrue(vet.get("strip").get("cleanFlagged").asDouble() < 0.05, vet.toString());
        assertTrue(Files.exists(triggers.resolve("class-0-trigger.png")));

        Path out = dir.resolve("clean");
        Run r = run("sanitize", "--data", poisonedDir.toString(), "--model", poisonedModel.toString(), "--trained",
                "--epochs", "4", "--batch", "64", "--clean", trusted.toString(), "--nc-steps", "150", "--out",
                out.toString(), "--seed", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals("rampart sanitize", report.get("tool").asText());
        assertEquals("poison found and removed", report.get("verdict").asText());
        boolean[] truth = poisoned.poisonedMask();
        int hit = 0;
        for (JsonNode i : report.get("removed")) {
            hit += truth[i.asInt()] ? 1 : 0;
        }
        int removed = report.get("removedCount").asInt();
        double recall = (double) hit / poisoned.poisoned().length;
        double precision = (double) hit / removed;
        assertTrue(recall >= 0.95 && precision >= 0.8, "recall " + recall + " precision " + precision + "\n" + r.out());
        assertEquals("SPECTRE", report.get("detections").get(0).get("detector").asText());
        // the trusted label check ran on the --clean sample and judged the target class alone
        JsonNode labels = null;
        for (JsonNode d : report.get("detections")) {
            labels = d.get("detector").asText().equals("trusted label check") ? d : labels;
        }
        assertTrue(labels != null && r.out().contains("trusted label check: "), report.get("detections").toString());
        // and so did the trusted contrast, which judged no class but the target poisoned
        JsonNode contrast = null;
        for (JsonNode d : report.get("detections")) {
            contrast = d.get("detector").asText().equals("trusted contrast") ? d : contrast;
        }
        assertTrue(contrast != null && r.out().contains("trusted contrast: "), report.get("detections").toString());
        for (JsonNode c : contrast.get("classes")) {
            assertEquals(c.get("class").asInt() == 0 ? "SUSPICIOUS" : "CLEAN", c.get("verdict").asText(), c.toString());
        }
        // the representation contrast is on by default
        assertTrue(r.out().contains("representation contrast: the same on the model's last hidden layer"), r.out());
        // the four detectors judged against --clean were also judged jointly, and that verdict (with
        // the trigger explanation's) is what was removed, not the union of their own verdicts
        JsonNode joint = null;
        int explained = 0;
        for (JsonNode d : report.get("detections")) {
            String name = d.get("detector").asText();
            joint = name.equals("trusted union") ? d : joint;
            explained += name.equals("trigger explanation") ? d.get("flaggedCount").asInt() : 0;
        }
        assertTrue(joint != null && r.out().contains("judged jointly"), report.get("detections").toString());
        int jointCount = joint.get("flaggedCount").asInt();
        assertTrue(removed >= jointCount && removed <= jointCount + explained, removed + " removed, the joint verdict "
                + jointCount + ", the trigger explanation " + explained);
        assertEquals(0, report.get("neuralCleanse").get("flagged").get(0).asInt(), report.toString());
        // each class retrained on what was kept of it, or more where a depleted class was resampled
        for (JsonNode c : report.get("classes")) {
            int kept = c.get("examples").asInt() - c.get("removed").asInt();
            assertTrue(c.get("retrainedOn").asInt() >= kept, c.toString());
            assertEquals(c.get("retrainedOn").asInt() > kept, r.out().contains("class " + c.get("name").asText()
                    + ": " + kept + " examples kept, resampled to "), c + "\n" + r.out());
        }
        // the reversed trigger worked on the first model and far less on the retrained one (as a
        // universal patch it still moves some images); the real trigger no longer works at all
        double before = report.get("before").get("attackSuccess").asDouble();
        double after = report.get("after").get("attackSuccess").asDouble();
        assertTrue(before > 0.9 && after < 0.3, "attack success " + before + " -> " + after);
        dev.rampart.core.model.GradientClassifier retrained = dev.rampart.core.model.zoo.ModelFiles.load(
                out.resolve("model.zip"), dev.rampart.core.model.zoo.ReferenceModels.INPUT_SHAPE,
                dev.rampart.core.model.InputDomain.UNIT);
        LabeledData attackTest = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.1, 5).attackTest(
                FashionMnist.bundledTest().slice(500, 1000));
        double real = dev.rampart.core.metric.Metrics.accuracy(retrained.predictClasses(attackTest.features()),
                attackTest.labels());
        // the reference MLP, 4 epochs on a 4,000-image sample: the few poisoned images left behind
        // still teach it some of the trigger (0.121 measured); the 2% goal holds on full
        // Fashion-MNIST with the CNN, measured by the poisoning matrix
        assertTrue(real < 0.15, "the real trigger's attack success after sanitization: " + real);
        assertTrue(report.get("after").get("cleanAccuracy").asDouble() > 0.75, report.get("after").toString());
        // the sanitized set reads back, without the removed examples; the gallery is there
        LabeledData back = FashionMnist.load(out, FashionMnist.Split.TRAIN, 0);
        assertEquals(poisoned.data().size() - removed, back.size());
        assertEquals(removed, Files.readAllLines(out.resolve("removed.txt")).size());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Removed examples") && html.contains("data:image/png;base64,")
                && html.contains("Reversed triggers"), "HTML gallery and triggers");

        // the retrained model passes the gate for the planted target. A 4-epoch MLP of 3,600 images can
        // hold a small natural trigger of another class: with two OpenMP threads (another float order,
        // another model) vet found one for class 8 (anomaly index 2.06 against 2, confirmed by STRIP),
        // with one thread none; the planted backdoor is what this test is about
        Run c = run("vet", "--model", out.resolve("model.zip").toString(), "--data", trusted.toString(), "--steps",
                "150", "--fail-on-backdoor");
        assertTrue(c.code() == 0 || c.code() == 1, c.out() + c.err());
        assertTrue(c.out().lines().noneMatch(l -> l.startsWith("class 0: ") && l.endsWith("CANDIDATE")), c.out());
        assertEquals(c.code() == 0, c.out().contains("verdict: no backdoor found"), c.out());
    }

    @Test
    void theRepresentationContrastJoinsTheJointVerdict() throws IOException {
        Path model = trainedOnThePoison("rc-model.zip");
        // the label check, the input contrast and most of Neural Cleanse off: SPECTRE and the representation contrast
        Path out = dir.resolve("rc-clean");
        Run r = run("sanitize", "--data", poisonedDir.toString(), "--model", model.toString(), "--trained", "--epochs",
                "1", "--clean", trusted.toString(), "--nc-steps", "1", "--label-check-epochs", "0", "--no-contrast",
                "--representation-contrast", "--out", out.toString(), "--seed", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("representation contrast: the same on the model's last hidden layer")
                && r.out().contains("the 2 detectors judged against --clean are judged jointly"), r.out());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode represented = null;
        for (JsonNode d : report.get("detections")) {
            represented = d.get("detector").asText().equals("representation contrast") ? d : represented;
        }
        assertTrue(represented != null, report.get("detections").toString());
        for (JsonNode c : represented.get("classes")) {
            assertEquals(c.get("class").asInt() == 0 ? "SUSPICIOUS" : "CLEAN", c.get("verdict").asText(), c.toString());
        }
        boolean[] truth = poisoned.poisonedMask();
        int hit = 0;
        for (JsonNode i : report.get("removed")) {
            hit += truth[i.asInt()] ? 1 : 0;
        }
        double recall = (double) hit / poisoned.poisoned().length;
        double precision = (double) hit / report.get("removedCount").asInt();
        assertTrue(recall >= 0.95 && precision >= 0.8, "recall " + recall + " precision " + precision + "\n" + r.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        Path out = dir.resolve("bad");
        Run rate = run("sanitize", "--data", poisonedDir.toString(), "--expected-poison-rate", "1.5", "--out",
                out.toString());
        assertEquals(2, rate.code());
        assertTrue(rate.err().contains("--expected-poison-rate must be in (0, 1), found 1.5"), rate.err());
        Run combine = run("sanitize", "--data", poisonedDir.toString(), "--combine", "max", "--out", out.toString());
        assertEquals(2, combine.code());
        assertTrue(combine.err().contains("expected one of [minimum, fisher] but was 'max'"), combine.err());
        Run how = run("sanitize", "--data", poisonedDir.toString(), "--remove", "all", "--out", out.toString());
        assertEquals(2, how.code());
        assertTrue(how.err().contains("--remove must be joint or any, found all"), how.err());
        Run recipe = run("sanitize", "--data", poisonedDir.toString(), "--model", "resnet", "--out", out.toString());
        assertEquals(2, recipe.code());
        assertTrue(recipe.err().contains("--model resnet: neither a reference model"), recipe.err());
        Path conf = Files.writeString(dir.resolve("conf.json"), "{\"confs\": [oops");
        Run badConf = run("sanitize", "--data", poisonedDir.toString(), "--model", conf.toString(), "--out",
                out.toString());
        assertEquals(2, badConf.code());
        assertTrue(badConf.err().contains("not a DL4J configuration in JSON nor a model zip"), badConf.err());
        // a class without examples
        LabeledData train = FashionMnist.bundledTrain();
        int[] keep = java.util.stream.IntStream.range(0, train.size()).filter(i -> train.labels()[i] != 4).toArray();
        Path noCoat = Files.createDirectories(dir.resolve("no-coat"));
        IdxWriter.write(new LabeledData("no coat", dev.rampart.core.data.Rows.gather(train.features(), keep),
                dev.rampart.core.data.Rows.pick(train.labels(), keep), 10), noCoat, "train");
        Run empty = run("sanitize", "--data", noCoat.toString(), "--out", out.toString());
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("has no example of class 4 (of 10 classes)"), empty.err());
        // data of another shape, with classes that have no example
        Path csv = Files.writeString(dir.resolve("two.csv"), "0.1,0.2,0\n0.3,0.4,1\n".repeat(30));
        Run shape = run("vet", "--model", "standard", "--data", csv.toString());
        assertEquals(2, shape.code(), shape.out() + shape.err());
        assertEquals(1, shape.problems(), shape.err());
        // an --out that is a file: said once, not once more for every output inside it
        Run outFile = run("sanitize", "--data", poisonedDir.toString(), "--out", conf.toString());
        assertEquals(2, outFile.code());
        assertEquals(1, outFile.problems(), outFile.err());
        assertTrue(outFile.err().contains("--out " + conf + " is a file, not a directory"), outFile.err());
        Run fpr = run("vet", "--model", "standard", "--strip-fpr", "0");
        assertEquals(2, fpr.code());
        assertTrue(fpr.err().contains("--strip-fpr must be in (0, 1), found 0.0"), fpr.err());
    }
}
