package dev.rampart.core.metric;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The Shapiro-Wilk test of normality (Shapiro &amp; Wilk, Biometrika 1965), with Royston's
 * approximations of the coefficients and of the p-value ("Remark AS R94: A remark on algorithm AS
 * 181: the W-test for normality", Applied Statistics 44, 1995), for 3 to 5,000 values. W is 1 for
 * perfectly normal order statistics and falls as the sample departs from normality.
 *
 * <pre>{@code
 * ShapiroWilk.Result r = ShapiroWilk.test(distances);
 * if (r.w() < 0.9) { ... }
 * }</pre>
 */
public final class ShapiroWilk {

    /** Fewest and most values the approximations hold for. */
    public static final int MIN_N = 3;
    public static final int MAX_N = 5000;

    private static final NormalDistribution STANDARD = new NormalDistribution(null, 0, 1);

    private final int n;
    private final double[] a;

    /** Coefficients for samples of size {@code n}; reuse them for many samples of that size. */
    public ShapiroWilk(int n) {
        if (n < MIN_N || n > MAX_N) {
            throw new IllegalArgumentException("Shapiro-Wilk needs " + MIN_N + " to " + MAX_N + " values, found " + n);
        }
        this.n = n;
        this.a = coefficients(n);
    }

    /**
     * W and its p-value.
     *
     * @param w the statistic, in (0, 1]
     * @param p the probability of a W this small or smaller under normality
     * @param n the sample size
     */
    public record Result(double w, double p, int n) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "W %.5f, p %.4g (n %d)", w, p, n);
        }
    }

    /** The test on {@code values} (not modified). */
    public static Result test(double[] values) {
        if (values == null) {
            throw new IllegalArgumentException("values must not be null");
        }
        return new ShapiroWilk(values.length).apply(values);
    }

    /**
     * The test on {@code values}, of this object's size.
     *
     * @throws IllegalArgumentException if the size differs, a value is not finite, or all values are equal
     */
    public Result apply(double[] values) {
        if (values == null || values.length != n) {
            throw new IllegalArgumentException("values must hold " + n + " numbers, found "
                    + (values == null ? "null" : values.length));
        }
        double[] x = values.clone();
        double mean = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("values[" + i + "] is not finite: " + x[i]);
            }
            mean += x[i] / n;
        }
        Arrays.sort(x);
        if (x[n - 1] - x[0] <= 1e-12 * Math.max(1, Math.abs(x[0]))) {
            throw new IllegalArgumentException("all " + n + " values are equal (" + x[0] + "): W is undefined");
        }
        double ss = 0;
        double num = 0;
        for (int i = 0; i < n; i++) {
            ss += (x[i] - mean) * (x[i] - mean);
            num += a[i] * x[i];
        }
        double w = Math.min(1.0, num * num / ss);
        return new Result(w, pValue(w, n), n);
    }

    /** Royston's coefficients {@code a_1..a_n} (antisymmetric, sum of squares 1). */
    static double[] coefficients(int n) {
        double[] a = new double[n];
        if (n == 3) {
            a[0] = -Math.sqrt(0.5);
            a[2] = Math.sqrt(0.5);
            return a;
        }
        double[] m = new double[n];
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            m[i] = STANDARD.inverseCumulativeProbability((i + 1 - 0.375) / (n + 0.25));
            sumSq += m[i] * m[i];
        }
        double u = 1 / Math.sqrt(n);
        double an = m[n - 1] / Math.sqrt(sumSq) + poly(u, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056);
        double phi;
        int outer;
        if (n > 5) {
            double an1 = m[n - 2] / Math.sqrt(sumSq) + poly(u, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633);
            phi = (sumSq - 2 * m[n - 1] * m[n - 1] - 2 * m[n - 2] * m[n - 2]) / (1 - 2 * an * an - 2 * an1 * an1);
            a[n - 2] = an1;
            a[1] = -an1;
            outer = 2;
        } else {
            phi = (sumSq - 2 * m[n - 1] * m[n - 1]) / (1 - 2 * an * an);
            outer = 1;
        }
        a[n - 1] = an;
        a[0] = -an;
        for (int i = outer; i < n - outer; i++) {
            a[i] = m[i] / Math.sqrt(phi);
        }
        return a;
    }

    /** Royston's normalizing transformations of W. */
    static double pValue(double w, int n) {
        if (n == 3) {
            double p = 6 / Math.PI * (Math.asin(Math.sqrt(w)) - Math.asin(Math.sqrt(0.75)));
            return Math.max(0, Math.min(1, p));
        }
        double z;
        if (n <= 11) {
            double gamma = -2.273 + 0.459 * n;
            double mu = 0.5440 - 0.39978 * n + 0.025054 * n * n - 0.0006714 * n * n * n;
            double sigma = Math.exp(1.3822 - 0.77857 * n + 0.062767 * n * n - 0.0020322 * n * n * n);
            double inner = gamma - Math.log1p(-w);
            if (inner <= 0) {
                return 0; // W far below anything the approximation covers
            }
            z = (-Math.log(inner) - mu) / sigma;
        } else {
            double l = Math.log(n);
            double mu = -1.5861 - 0.31082 * l - 0.083751 * l * l + 0.0038915 * l * l * l;
            double sigma = Math.exp(-0.4803 - 0.082676 * l + 0.0030302 * l * l);
            z = (Math.log1p(-w) - mu) / sigma;
        }
        return w >= 1 ? 1 : 1 - STANDARD.cumulativeProbability(z);
    }

    /** {@code c1 u + c2 u^2 + ...}. */
    private static double poly(double u, double... c) {
        double s = 0;
        double p = u;
        for (double ci : c) {
            s += ci * p;
            p *= u;
        }
        return s;
    }

    /** The sample size of these coefficients. */
    public int size() {
        return n;
    }
}
