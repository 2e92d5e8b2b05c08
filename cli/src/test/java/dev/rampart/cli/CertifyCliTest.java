package dev.rampart.cli;

import static dev.rampart.cli.RampartCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.cli.RampartCliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rampart train --method gaussian} then {@code rampart certify}: reports, gates and bad input. */
class CertifyCliTest {

    @TempDir
    Path dir;

    @Test
    void aNoiseTrainedModelIsCertifiedAndGated() throws IOException {
        Path model = dir.resolve("smooth.zip");
        Run t = run("train", "--method", "gaussian", "--epsilon", "0.25", "--warmup", "0", "--model", "mlp", "--epochs",
                "2", "--validation", "200", "--out", model.toString(), "--seed", "3");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("under noise"), t.out());

        Path json = dir.resolve("c.json");
        Path html = dir.resolve("c.html");
        Path junit = dir.resolve("c.xml");
        // n = 500 at alpha 0.001 caps every radius at 0.25 * 2.205 = 0.55: the second gate must fail
        Run c = run("certify", "--model", model.toString(), "--samples", "20", "--n", "500", "--sigma", "0.25",
                "--radii", "0,0.25,0.5,0.6", "--require", "smoothing@0>=0.5", "--require", "smoothing@0.6>=0.01",
                "--out", json.toString(), "--html", html.toString(), "--junit", junit.toString());
        assertEquals(Rampart.GATE_FAILED, c.code(), c.out() + c.err());
        assertTrue(c.out().contains("smoothing@0>=0.5: ") && c.out().contains("smoothing@0.6>=0.01: 0.0% FAILED"),
                c.out());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("smoothing", r.get("method").asText());
        assertEquals(20, r.get("perExample").size());
        assertEquals(500, r.get("config").get("n").asInt());
        assertTrue(r.get("curve").get(0).get("certifiedAccuracy").asDouble() >= 0.5, r.get("curve").toString());
        assertEquals(0.0, r.get("curve").get(3).get("certifiedAccuracy").asDouble());
        assertTrue(r.get("gates").get(0).get("passed").asBoolean());
        assertTrue(!r.get("gates").get(1).get("passed").asBoolean());
        for (JsonNode e : r.get("perExample")) {
            assertTrue(e.get("radius").asDouble() <= 0.552, e.toString());
        }
        assertTrue(Files.readString(html).contains("<svg"));
        String xml = Files.readString(junit);
        assertTrue(xml.contains("tests=\"2\"") && xml.contains("failures=\"1\""), xml);

        Run pass = run("certify", "--model", model.toString(), "--samples", "20", "--n", "500", "--require",
                "smoothing@0>=0.5");
        assertEquals(0, pass.code(), pass.out() + pass.err());
    }

    @Test
    void partitionAggregationCertifiesAgainstPoisoning() throws IOException {
        Path json = dir.resolve("dpa.json");
        // 10 parts of the bundled 4,000 training images: a vote of 10 certifies at most 5 (10-0 for class 0)
        Run c = run("certify", "--method", "dpa", "--model", "mlp", "--partitions", "10", "--epochs", "3", "--samples",
                "100", "--sizes", "0,1,2,6", "--require", "dpa@1>=0.4", "--require", "dpa@6>0", "--out", json.toString());
        assertEquals(Rampart.GATE_FAILED, c.code(), c.out() + c.err());
        assertTrue(c.out().contains("10 of 10 models trained"), c.out());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("dpa", r.get("method").asText());
        assertEquals(10, r.get("config").get("partitions").asInt());
        assertEquals(6, r.get("curve").get(3).get("size").asInt());
        assertEquals(0.0, r.get("curve").get(3).get("certifiedAccuracy").asDouble(), "no vote of 10 certifies 6");
        double atZero = r.get("curve").get(0).get("certifiedAccuracy").asDouble();
        assertTrue(atZero > 0.6 && r.get("curve").get(1).get("certifiedAccuracy").asDouble() <= atZero, r.toString());
        assertTrue(r.get("gates").get(0).get("passed").asBoolean(), r.get("gates").toString());
        for (JsonNode e : r.get("perExample")) {
            assertTrue(e.get("certifiedSize").asInt() <= (e.get("class").asInt() == 0 ? 5 : 4), e.toString());
        }
    }

    @Test
    void anIntervalTrainedModelIsVerifiedByBoundsAndGated() throws IOException {
        Path model = dir.resolve("ibp.zip");
        Run t = run("train", "--method", "ibp", "--epsilon", "0.02", "--warmup", "1", "--model", "mlp", "--epochs",
                "2", "--validation", "200", "--batch", "100", "--out", model.toString(), "--seed", "3");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("IBP-verified"), t.out());
        Path json = dir.resolve("b.json");
        Run c = run("certify", "--method", "crown", "--model", model.toString(), "--samples", "50", "--epsilons",
                "0,0.02", "--require", "crown@0.02>=0.3", "--require", "crown@0.3>0", "--out", json.toString(),
                "--html", dir.resolve("b.html").toString());
        assertEquals(Rampart.GATE_FAILED, c.code(), c.out() + c.err());
        assertTrue(c.out().contains("crown@0.02>=0.3: ") && c.out().contains("passed")
                && c.out().contains("crown@0.3>0: 0.0% FAILED"), c.out());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("crown", r.get("method").asText());
        assertEquals(3, r.get("curve").size(), "the gate's budget joins the curve");
        double clean = r.get("curve").get(0).get("certifiedAccuracy").asDouble();
        double at002 = r.get("curve").get(1).get("certifiedAccuracy").asDouble();
        assertTrue(clean > 0.5 && at002 >= 0.3 && at002 <= clean, r.get("curve").toString());
        assertEquals(50, r.get("perExample").size());
        assertTrue(Files.readString(dir.resolve("b.html")).contains("Bound propagation"));
        Path ibpJson = dir.resolve("i.json");
        Run ibp = run("certify", "--method", "ibp", "--model", model.toString(), "--samples", "50", "--epsilons",
                "0.02", "--out", ibpJson.toString());
        assertEquals(0, ibp.code(), ibp.err());
        double byIbp = new ObjectMapper().readTree(ibpJson.toFile()).get("curve").get(0).get("certifiedAccuracy")
                .asDouble();
        assertTrue(byIbp <= at002, "CROWN verifies at least what IBP does: " + byIbp + " > " + at002);
        Run l2 = run("certify", "--method", "ibp", "--model", "standard", "--norm", "l2", "--samples", "5",
                "--epsilons", "0.1");
        assertEquals(0, l2.code(), l2.err());

        // in the audit, verified accuracy sits beside the empirical worst case and is never above it
        Path audit = dir.resolve("audit.json");
        Run a = run("audit", "--models", model.toString(), "--attacks", "pgd,crown", "--epsilons", "0.02",
                "--samples", "50", "--out", audit.toString(), "--require", "crown@0.02>=0.3");
        assertEquals(0, a.code(), a.out() + a.err());
        JsonNode rows = new ObjectMapper().readTree(audit.toFile()).get("models").get(0).get("results");
        double worst = -1;
        double verified = -1;
        for (JsonNode row : rows) {
            if (row.get("option").asText().equals("worst")) {
                worst = row.get("robustAccuracy").asDouble();
            } else if (row.get("option").asText().equals("crown")) {
                verified = row.get("robustAccuracy").asDouble();
            }
        }
        assertTrue(verified >= 0.3 && verified <= worst, "verified " + verified + ", worst case " + worst);
        assertEquals(at002, verified, 1e-9, "the audit's CROWN row is certify's figure");
    }

    @Test
    void badInputIsOneLineEachAndExitTwo() {
        Run r = run("certify", "--model", "standard", "--sigma", "0", "--samples", "0", "--require", "pgd@1>=0.5",
                "--radii", "-1");
        assertEquals(Rampart.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--sigma must be positive and finite, found 0.0"), r.err());
        assertTrue(r.err().contains("--samples must be positive, found 0"), r.err());
        assertTrue(r.err().contains("--require 'pgd@1>=0.5' is not smoothing@radius>=value, ibp|crown-ibp|crown"
                + "@epsilon>=value or dpa@size>=value"), r.err());
        assertTrue(r.err().contains("--radii must be finite and >= 0, found -1.0"), r.err());
        assertEquals(4, r.problems(), r.err());
        Run alpha = run("certify", "--model", "standard", "--alpha", "1");
        assertTrue(alpha.code() == Rampart.USAGE && alpha.err().contains("--alpha must be in (0, 1), found 1.0"),
                alpha.err());
        Run n0 = run("certify", "--model", "standard", "--n0", "200", "--n", "100");
        assertTrue(n0.code() == Rampart.USAGE && n0.err().contains("--n0 must be at most n (100), found 200"), n0.err());
        Run method = run("certify", "--model", "standard", "--method", "lp");
        assertTrue(method.code() == Rampart.USAGE && method.err().contains("--method must be smoothing, ibp, crown-ibp,"
                + " crown or dpa, found lp"), method.err());
        Run crown = run("certify", "--model", "standard", "--method", "crown", "--norm", "l1", "--epsilons", "-0.1,NaN",
                "--require", "ibp@0.1>=0.5");
        assertEquals(Rampart.USAGE, crown.code(), crown.err());
        assertTrue(crown.err().contains("--norm must be linf or l2, found l1"), crown.err());
        assertTrue(crown.err().contains("--epsilons must be finite and >= 0, found -0.1"), crown.err());
        assertTrue(crown.err().contains("--epsilons must be finite and >= 0, found NaN"), crown.err());
        assertTrue(crown.err().contains("--require 'ibp@0.1>=0.5' gates ibp, but --method is crown"), crown.err());
        assertEquals(4, crown.problems(), crown.err());
        Run mixed = run("certify", "--method", "dpa", "--model", "nope", "--partitions", "0", "--require", "smoothing@1>=0.1");
        assertEquals(Rampart.USAGE, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("--partitions must be positive, found 0"), mixed.err());
        assertTrue(mixed.err().contains("--require 'smoothing@1>=0.1' gates smoothing, but --method is dpa"), mixed.err());
        assertTrue(mixed.err().contains("--model nope: neither a reference model"), mixed.err());
        assertEquals(3, mixed.problems(), mixed.err());
    }
}
