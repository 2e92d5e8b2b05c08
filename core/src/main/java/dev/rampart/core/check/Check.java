package dev.rampart.core.check;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rampart's one set of preconditions: every configuration record and every entry point checks its
 * values here, so that a bad value fails with the same kind of message everywhere, naming the
 * parameter as the caller spells it and the value found.
 *
 * <pre>{@code
 * Check.positive("steps", steps);                 // "steps must be positive, found 0"
 * Check.share("rate", rate);                      // in (0, 1)
 * Check.finite(x, "x");                           // counts NaN and infinite values
 * }</pre>
 */
public final class Check {

    private Check() {
    }

    /** @throws IllegalArgumentException if {@code value} is null */
    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value} is positive and finite */
    public static double positive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, found " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value > 0} */
    public static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value > 0} */
    public static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException if {@code value < 0} */
    public static int notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, found " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value} is finite and {@code >= 0} */
    public static double finiteNotNegative(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, found " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value} is finite */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, found " + value);
        }
        return value;
    }

    /** A share strictly between 0 and 1. @throws IllegalArgumentException otherwise */
    public static double share(String name, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1), found " + value);
        }
        return value;
    }

    /** A share in {@code (0, 1]}. @throws IllegalArgumentException otherwise */
    public static double shareUpToOne(String name, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], found " + value);
        }
        return value;
    }

    /** A share in {@code [0, 1)}. @throws IllegalArgumentException otherwise */
    public static double shareFromZero(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), found " + value);
        }
        return value;
    }

    /** A value in {@code [lo, hi]}. @throws IllegalArgumentException otherwise */
    public static double inRange(String name, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], found " + value);
        }
        return value;
    }

    /** An integer in {@code [lo, hi]}. @throws IllegalArgumentException otherwise */
    public static int inRange(String name, int value, int lo, int hi) {
        if (value < lo || value > hi) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], found " + value);
        }
        return value;
    }

    /** A class index of a model or data set with {@code classes} classes. */
    public static int label(String name, int value, int classes) {
        if (value < 0 || value >= classes) {
            throw new IllegalArgumentException(name + " must be a class in [0, " + classes + "), found " + value);
        }
        return value;
    }

    /**
     * Checks that every value of {@code x} is finite: one reduction on the common path, the
     * counts and the first bad element only when there are some.
     *
     * @throws IllegalArgumentException naming {@code name}, how many NaN and infinite values it
     *     holds and where the first one is
     */
    public static INDArray finite(INDArray x, String name) {
        notNull(name, x);
        if (x.isEmpty() || !x.dataType().isFPType()) {
            return x;
        }
        if (Double.isFinite(x.sumNumber().doubleValue())) {
            return x;
        }
        INDArray flat = x.reshape(x.length());
        long nan = flat.isNaN().castTo(DataType.INT32).sumNumber().longValue();
        long inf = flat.isInfinite().castTo(DataType.INT32).sumNumber().longValue();
        if (nan + inf == 0) {
            return x; // the sum overflowed on finite values
        }
        double[] v = flat.castTo(DataType.DOUBLE).toDoubleVector();
        long first = 0;
        while (first < v.length && Double.isFinite(v[(int) first])) {
            first++;
        }
        throw new IllegalArgumentException(name + " holds " + nan + " NaN and " + inf + " infinite values (the first"
                + " at " + position(x.shape(), first) + ")");
    }

    /** Checks every value of {@code values} is finite. @throws IllegalArgumentException naming the first */
    public static double[] finite(double[] values, String name) {
        notNull(name, values);
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] must be finite, found " + values[i]);
            }
        }
        return values;
    }

    /** The index of flat element {@code flat} of an array of {@code shape}, such as {@code [3, 0, 27, 5]}. */
    static String position(long[] shape, long flat) {
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return Arrays.toString(idx);
    }

    /**
     * {@code a * b}, or an exception naming what overflowed.
     *
     * @throws IllegalArgumentException if the product does not fit a long
     */
    public static long multiply(String what, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " overflows: " + a + " x " + b + " is above " + Long.MAX_VALUE);
        }
    }
}
