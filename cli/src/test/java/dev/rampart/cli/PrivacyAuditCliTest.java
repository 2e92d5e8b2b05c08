package dev.rampart.cli;

import static dev.rampart.cli.RampartCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.cli.RampartCliTest.Run;
import org.junit.jupiter.api.Test;

/** {@code rampart privacy audit}: both bounds printed, a correct run consistent, and bad options. */
class PrivacyAuditCliTest {

    private static double value(String out, String key) {
        for (String line : out.split("\n")) {
            if (line.startsWith(key + "=")) {
                return Double.parseDouble(line.substring(key.length() + 1).trim());
            }
        }
        throw new AssertionError(key + " not in " + out);
    }

    @Test
    void aCorrectDpSgdRunProvesNoMoreThanItsAccountant() {
        Run r = run("privacy", "audit", "--target-epsilon", "1", "--epochs", "2", "--batch-size", "200", "--canaries",
                "100", "--guesses", "40", "--seed", "2");
        assertEquals(Rampart.OK, r.code(), r.out() + r.err());
        assertEquals(1.0, value(r.out(), "epsilon_upper_bound"), 1e-3, r.out());
        double lower = value(r.out(), "epsilon_lower_bound");
        assertTrue(lower >= 0 && lower <= 1.0, r.out());
        assertTrue(r.out().contains("guesses right"), r.out());
    }

    @Test
    void gradientCanariesAuditTheRunWhiteBox() {
        // sigma 0.3 over 8 steps at q 1/4 spends a large epsilon; the Dirac canaries prove a good part of it
        Run r = run("privacy", "audit", "--noise-multiplier", "0.3", "--epochs", "2", "--batch-size", "1000",
                "--canary-kind", "gradient", "--canaries", "400", "--guesses", "80", "--seed", "2");
        assertEquals(Rampart.OK, r.code(), r.out() + r.err());
        double lower = value(r.out(), "epsilon_lower_bound");
        double upper = value(r.out(), "epsilon_upper_bound");
        assertTrue(lower > 1 && lower <= upper, r.out());
        assertTrue(r.out().contains("400 gradient canaries"), r.out());
        Run many = run("privacy", "audit", "--noise-multiplier", "1", "--canary-kind", "gradient", "--canaries",
                "10000000", "--guesses", "10");
        assertEquals(Rampart.USAGE, many.code(), many.err());
        assertTrue(many.err().contains("canaries (10000000) exceed the model's 269322 parameters"), many.err());
    }

    @Test
    void badOptionsAreOneLineEach() {
        Run r = run("privacy", "audit", "--canaries", "1", "--canary-kind", "pixels", "--clip", "0");
        assertEquals(Rampart.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("give exactly one of --noise-multiplier and --target-epsilon"), r.err());
        assertTrue(r.err().contains("--canary-kind must be noise, mislabeled or gradient, found pixels"), r.err());
        assertTrue(r.err().contains("--clip must be positive, found 0"), r.err());
        assertTrue(r.err().contains("--canaries must be at least 2, found 1"), r.err());
        assertEquals(4, r.problems(), r.err());
        Run many = run("privacy", "audit", "--noise-multiplier", "1", "--canary-kind", "mislabeled", "--canaries",
                "100000", "--guesses", "10");
        assertEquals(Rampart.USAGE, many.code(), many.err());
        assertTrue(many.err().contains("canaries (100000) exceed the pool's"), many.err());
        Run accountant = run("privacy", "--dataset-size", "100");
        assertEquals(Rampart.USAGE, accountant.code(), accountant.err());
        assertTrue(accountant.err().contains("Missing required option: --batch-size"), accountant.err());
    }
}
