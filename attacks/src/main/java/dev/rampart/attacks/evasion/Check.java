package dev.rampart.attacks.evasion;

/** Validation of configuration values, with messages that name the parameter and the value. */
final class Check {

    private Check() {
    }

    static void positive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, found " + value);
        }
    }

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + value);
        }
    }

    static void notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, found " + value);
        }
    }
}
