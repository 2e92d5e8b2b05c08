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

    /**
     * The settings every attack configuration shares.
     *
     * @param unbounded whether an infinite epsilon (no budget) is allowed
     */
    static void common(dev.rampart.core.norm.Norm norm, double epsilon, int batchSize, boolean unbounded) {
        if (norm == null) {
            throw new IllegalArgumentException("norm must not be null");
        }
        if (!(unbounded && epsilon == Double.POSITIVE_INFINITY)) {
            positive("epsilon", epsilon);
        }
        positive("batchSize", batchSize);
    }

    static void finiteNotNegative(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, found " + value);
        }
    }
}
