package dev.rampart.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A Spark master that cannot be used is a usage error in one line, found before Spark starts. */
class SparkMasterTest {

    @Test
    void anUnreachableMasterIsAUsageErrorInOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = Rampart.run(new String[] {"audit", "--samples", "10", "--attacks", "fgsm", "--out", "none",
            "--spark", "spark://127.0.0.1:1"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(Rampart.USAGE, code, e);
        assertTrue(e.contains("--spark spark://127.0.0.1:1: the Spark master is unreachable"), e);
        assertFalse(e.contains("\tat "), "no stack trace: " + e);
        assertTrue((System.nanoTime() - t0) / 1e9 < 60, "refused without Spark's minute of retries");
    }

    @Test
    void malformedStandaloneAddressesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new dev.rampart.spark.SparkChunkRunner.Factory().check("spark://host:notaport"));
        assertTrue(e.getMessage().contains("'host:notaport' is not host:port"), e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new dev.rampart.spark.SparkChunkRunner.Factory().check("spark://no-such-host.invalid:7077"));
        assertTrue(unknown.getMessage().contains("unknown host"), unknown.getMessage());
    }
}
