package dev.rampart.cli;

import static dev.rampart.cli.RampartCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.cli.RampartCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rampart federate}: a run under attack with its reports, and bad options. */
class FederateCliTest {

    @TempDir
    Path dir;

    @Test
    void aFederationUnderAttackIsReported() throws Exception {
        Path json = dir.resolve("fl.json");
        Run r = run("federate", "--clients", "8", "--per-round", "8", "--rounds", "2", "--malicious", "2", "--attack",
                "alie", "--aggregator", "multi-krum", "--out", json.toString(), "--html", dir.resolve("fl.html").toString(),
                "--seed", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, j.get("rounds").size());
        assertEquals("multi-krum(f=2, m=6)", j.get("config").get("aggregator").asText());
        assertEquals(2, j.get("config").get("maliciousClients").size());
        assertEquals(2, j.get("rounds").get(1).get("maliciousSampled").asInt(), "every client takes part each round");
        assertTrue(j.get("rounds").get(1).get("accuracy").asDouble() > 0.5, j.get("rounds").toString());
        assertTrue(Files.readString(dir.resolve("fl.html")).contains("<polyline"));
    }

    @Test
    void badOptionsAreOneLineEachAndExitTwo() {
        Run r = run("federate", "--clients", "10", "--per-round", "6", "--malicious", "4", "--aggregator", "bulyan",
                "--attack", "nope", "--rounds", "0");
        assertEquals(Rampart.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--rounds must be positive, found 0"), r.err());
        assertTrue(r.err().contains("--aggregator bulyan needs --per-round >= 4f + 3 = 15 for f = 3, found 6"), r.err());
        assertTrue(r.err().contains("--attack must be sign-flip, gaussian, alie, ipm or backdoor, found nope"), r.err());
        assertEquals(3, r.problems(), r.err());
        Run trim = run("federate", "--aggregator", "trimmed-mean", "--trim", "0.5");
        assertTrue(trim.code() == Rampart.USAGE && trim.err().contains("the trim fraction beta must be in [0, 0.5),"
                + " found 0.5"), trim.err());
    }
}
