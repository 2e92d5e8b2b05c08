package dev.rampart.benchmarks.cli;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Options parse(String... args) {
        return Options.parse(args, Set.of("--epochs", "--lr", "--out", "--seed"), Set.of("--checkpoints"));
    }

    @Test
    void readsValuesFlagsAndFallbacks() {
        Options o = parse("--epochs", "3", "--checkpoints", "--lr", "5e-4");
        assertEquals(3, o.integer("--epochs", 12));
        assertEquals(5e-4, o.number("--lr", 1e-3));
        assertEquals(42L, o.longInteger("--seed", 42));
        assertEquals("x.zip", o.text("--out", "x.zip"));
        assertTrue(o.flag("--checkpoints"));
        assertFalse(parse("--epochs", "3").flag("--checkpoints"));
    }

    @Test
    void rejectsUnknownOptionsMissingValuesAndBadNumbers() {
        assertMessage(() -> parse("--epoch", "3"), "unknown option --epoch");
        assertMessage(() -> parse("--epochs"), "--epochs needs a value");
        assertMessage(() -> parse("--epochs", "three").integer("--epochs", 1), "--epochs needs an integer, found 'three'");
        assertMessage(() -> parse("--lr", "fast").number("--lr", 1), "--lr needs a number, found 'fast'");
        assertMessage(() -> parse("--seed", "1.5").longInteger("--seed", 1), "--seed needs an integer, found '1.5'");
    }
}
