package dev.rampart.core.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Assertions on the exceptions bad input must raise. */
public final class Errors {

    private Errors() {
    }

    /** Asserts that {@code call} throws an IllegalArgumentException whose message contains {@code part}. */
    public static IllegalArgumentException assertMessage(Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                "message should mention '" + part + "': " + e.getMessage());
        return e;
    }
}
