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
                "alie:1.5", "--aggregator", "multi-krum", "--out", json.toString(), "--html", dir.resolve("fl.html").toString(),
                "--seed", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, j.get("rounds").size());
        assertEquals("multi-krum(f=2, m=6)", j.get("config").get("aggregator").asText());
        assertEquals("alie(z=1.5)", j.get("config").get("attack").asText());
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
        assertTrue(r.err().contains("--aggregator bulyan: bulyan needs per-round >= 4f + 3 = 15 for f = 3,"
                + " found 6"), r.err());
        assertTrue(r.err().contains("--attack must be backdoor or a byzantine attack: attack must be one of sign-flip,"
                + " gaussian, alie, ipm (optionally name:strength), found 'nope'"), r.err());
        assertEquals(3, r.problems(), r.err());
        Run trim = run("federate", "--aggregator", "trimmed-mean", "--trim", "0.5");
        assertTrue(trim.code() == Rampart.USAGE && trim.err().contains("the trim fraction beta must be in [0, 0.5),"
                + " found 0.5"), trim.err());
        Run runners = run("federate", "--threads", "2", "--spark", "nope[", "--rounds", "1");
        assertEquals(Rampart.USAGE, runners.code(), runners.err());
        assertTrue(runners.err().contains("--threads 2 and --spark: choose one way to run the clients"), runners.err());
        assertTrue(runners.err().contains("--spark nope[ is not a Spark master URL"), runners.err());
        assertTrue(run("federate", "--threads", "0").err().contains("--threads must be positive, found 0"));
        Run strength = run("federate", "--attack", "alie:-1", "--f", "-2");
        assertEquals(Rampart.USAGE, strength.code(), strength.err());
        assertTrue(strength.err().contains("attack 'alie:-1': the strength must be positive and finite, found -1"),
                strength.err());
        assertTrue(strength.err().contains("--f must not be negative, found -2"), strength.err());
        assertEquals(2, strength.problems(), strength.err());
        // no client: said once, not again by the options bounded by --clients
        Run none = run("federate", "--clients", "0");
        assertTrue(none.err().contains("--clients must be positive, found 0"), none.err());
        assertEquals(1, none.problems(), none.err());
    }

    @Test
    void clientsOnThreadsOrSparkGiveTheRoundsOfALocalRun() throws Exception {
        String[] common = {"federate", "--clients", "4", "--per-round", "4", "--rounds", "2", "--malicious", "1",
            "--attack", "sign-flip", "--aggregator", "median", "--seed", "5"};
        double[] local = accuracies(common, "local.json", "clients trained one after the other");
        double[] threads = accuracies(concat(common, "--threads", "2"), "threads.json", "clients trained on 2 threads");
        double[] spark = accuracies(concat(common, "--spark", "local[2]"), "spark.json",
                "clients trained as Spark tasks on local[2]");
        assertTrue(local[1] > 0.3, java.util.Arrays.toString(local));
        assertEquals(local[0], threads[0], 0.002);
        assertEquals(local[1], threads[1], 0.002);
        assertEquals(local[0], spark[0], 0.002);
        assertEquals(local[1], spark[1], 0.002);
    }

    private double[] accuracies(String[] args, String file, String runner) throws Exception {
        Path json = dir.resolve(file);
        Run r = run(concat(args, "--out", json.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains(runner), r.out());
        JsonNode rounds = new ObjectMapper().readTree(json.toFile()).get("rounds");
        return new double[] {rounds.get(0).get("accuracy").asDouble(), rounds.get(1).get("accuracy").asDouble()};
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
