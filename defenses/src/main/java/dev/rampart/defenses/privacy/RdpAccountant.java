package dev.rampart.defenses.privacy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.special.Gamma;

/**
 * Rényi differential privacy accounting of the sampled Gaussian mechanism, the mechanism of DP-SGD
 * with Poisson sampling: each step includes every example independently with probability
 * {@code q} and adds Gaussian noise of standard deviation {@code sigma} times the clipping norm.
 *
 * <ul>
 *   <li>The RDP of one step at order {@code alpha} is computed as in Mironov, Talwar &amp; Zhang,
 *       "Rényi differential privacy of the sampled Gaussian mechanism" (2019): a finite binomial
 *       sum for integer orders, and for fractional orders the two-sided series with
 *       complementary error functions, summed until its terms fall below {@code e^-30}
 *       (Mironov 2017 introduced RDP and its composition).</li>
 *   <li>Steps compose by adding RDP; steps with different {@code q} or {@code sigma} are
 *       accounted separately and added ({@link #step}).</li>
 *   <li>RDP converts to {@code (epsilon, delta)} with the bound of Balle, Barthe, Gaboardi, Hsu
 *       &amp; Sato, "Hypothesis testing interpretations and Rényi differential privacy" (AISTATS
 *       2020): {@code epsilon = rdp - (log delta + log alpha) / (alpha - 1) + log((alpha - 1) /
 *       alpha)}, minimized over the orders; this is the conversion Opacus uses, and with its
 *       default orders Rampart reproduces its figures.</li>
 * </ul>
 *
 * <pre>{@code
 * RdpAccountant.Spent s = RdpAccountant.epsilon(0.04, 1.5, 2250, 1e-5, RdpAccountant.DEFAULT_ORDERS);
 * s.epsilon();   // 7.329111...
 * double sigma = RdpAccountant.noiseMultiplier(3.0, 0.04, 2250, 1e-5, RdpAccountant.DEFAULT_ORDERS);
 * }</pre>
 */
public final class RdpAccountant {

    /** Orders 1.1, 1.2, ..., 10.9 and 12, 13, ..., 63 (those of Opacus's RDP accountant). */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    /**
     * The largest order accounted. The integer-order sum has {@code alpha + 1} terms and the
     * fractional series about as many before it converges, so the order bounds the work; the best
     * order of practical DP-SGD settings lies below a few hundred (Opacus stops at 63, TensorFlow
     * Privacy at 512).
     */
    public static final double MAX_ORDER = 10_000;

    /** Stop adding terms of the fractional-order series below {@code e^-30} of the largest. */
    private static final double SERIES_CUTOFF = -30;
    /** At most this many terms of the fractional-order series beyond the order itself. */
    private static final int SERIES_EXTRA_TERMS = 100_000;

    /**
     * Privacy spent.
     *
     * @param epsilon the smallest epsilon over the orders
     * @param order the order that gives it
     * @param delta the delta it holds for
     */
    public record Spent(double epsilon, double order, double delta) {
    }

    /** Steps taken at one sampling rate and noise multiplier. */
    private static final class Phase {
        final double q;
        final double sigma;
        long steps;

        Phase(double q, double sigma, long steps) {
            this.q = q;
            this.sigma = sigma;
            this.steps = steps;
        }
    }

    private final List<Phase> history = new ArrayList<>();

    /** An accountant with no step taken. */
    public RdpAccountant() {
    }

    private static double[] defaultOrders() {
        List<Double> orders = new ArrayList<>();
        for (int x = 1; x < 100; x++) {
            orders.add(1 + x / 10.0);
        }
        for (int a = 12; a < 64; a++) {
            orders.add((double) a);
        }
        return orders.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Records {@code steps} steps of the sampled Gaussian mechanism.
     *
     * @throws IllegalArgumentException naming the parameter, if a value is invalid
     */
    public synchronized void step(double noiseMultiplier, double sampleRate, long steps) {
        check(sampleRate, noiseMultiplier);
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, found " + steps);
        }
        long total = steps();
        if (steps > Long.MAX_VALUE - total) {
            throw new IllegalArgumentException("steps: " + total + " recorded plus " + steps + " overflows a long");
        }
        if (!history.isEmpty()) {
            Phase last = history.get(history.size() - 1);
            if (last.q == sampleRate && last.sigma == noiseMultiplier) {
                last.steps += steps;
                return;
            }
        }
        history.add(new Phase(sampleRate, noiseMultiplier, steps));
    }

    /** Steps recorded so far. */
    public synchronized long steps() {
        long total = 0;
        for (Phase p : history) {
            total += p.steps; // step() keeps the sum below Long.MAX_VALUE
        }
        return total;
    }

    /** The privacy spent by every step recorded, at {@code delta}, over {@code orders}. */
    public synchronized Spent spent(double delta, double[] orders) {
        checkOrders(orders);
        checkDelta(delta);
        if (steps() == 0) {
            return new Spent(0, Double.NaN, delta); // nothing released yet
        }
        double[] total = new double[orders.length];
        for (Phase h : history) {
            double[] r = rdp(h.q, h.sigma, h.steps, orders);
            for (int k = 0; k < total.length; k++) {
                total[k] += r[k];
            }
        }
        return convert(total, orders, delta);
    }

    /**
     * The epsilon of {@code steps} steps at sampling rate {@code q} and noise multiplier
     * {@code sigma}, for {@code delta}, minimized over {@code orders}.
     *
     * @throws IllegalArgumentException naming the parameter, if a value is invalid
     */
    public static Spent epsilon(double q, double sigma, long steps, double delta, double[] orders) {
        check(q, sigma);
        checkOrders(orders);
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be positive, found " + steps);
        }
        return convert(rdp(q, sigma, steps, orders), orders, delta);
    }

    /**
     * The smallest noise multiplier whose epsilon is at most {@code targetEpsilon} (bisection to a
     * relative precision of 1e-10).
     *
     * @throws IllegalArgumentException naming the parameter, if a value is invalid or no noise
     *     multiplier up to 10^6 reaches the target
     */
    public static double noiseMultiplier(double targetEpsilon, double q, long steps, double delta, double[] orders) {
        if (!(targetEpsilon > 0) || !Double.isFinite(targetEpsilon)) {
            throw new IllegalArgumentException("target epsilon must be positive and finite, found " + targetEpsilon);
        }
        check(q, 1);
        checkDelta(delta);
        double lo = 0;
        double hi = 1;
        while (epsilon(q, hi, steps, delta, orders).epsilon() > targetEpsilon) {
            lo = hi;
            hi *= 2;
            if (hi > 1e6) {
                throw new IllegalArgumentException("no noise multiplier up to 1e6 reaches epsilon " + targetEpsilon
                        + " in " + steps + " steps at sampling rate " + q + " and delta " + delta);
            }
        }
        while (hi - lo > 1e-10 * hi) {
            double mid = (lo + hi) / 2;
            if (epsilon(q, mid, steps, delta, orders).epsilon() > targetEpsilon) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * The RDP of {@code steps} steps at each order ({@code Infinity} where it exceeds the largest
     * double).
     */
    public static double[] rdp(double q, double sigma, long steps, double[] orders) {
        check(q, sigma);
        checkOrders(orders);
        double[] out = new double[orders.length];
        for (int k = 0; k < orders.length; k++) {
            out[k] = rdp(q, sigma, orders[k]) * steps;
        }
        return out;
    }

    /**
     * The RDP of one step at order {@code alpha}: {@code Infinity} when the privacy loss exceeds
     * the largest double (a noise multiplier so small that no finite epsilon can be stated).
     *
     * @throws IllegalArgumentException naming the parameter, if a value is invalid
     */
    public static double rdp(double q, double sigma, double alpha) {
        check(q, sigma);
        checkOrder(alpha);
        // 1 / (2 sigma^2), computed so that it overflows to Infinity rather than dividing by a zero square
        double half = 0.5 / sigma / sigma;
        if (q == 1) {
            return alpha * half;
        }
        if (Double.isInfinite(half)) {
            return Double.POSITIVE_INFINITY;
        }
        double logA = alpha == Math.rint(alpha) ? logAInteger(q, half, (int) alpha) : logAFractional(q, sigma, half,
                alpha);
        double r = logA / (alpha - 1);
        return Double.isNaN(r) ? Double.POSITIVE_INFINITY : r; // NaN only from Infinity - Infinity in the terms
    }

    /** {@code (i^2 - i) / (2 sigma^2)}, exactly 0 for {@code i} in {0, 1}. */
    private static double gaussianExponent(double i, double half) {
        double k = i * i - i;
        return k == 0 ? 0 : k * half;
    }

    /** {@code log A_alpha} for an integer order: a finite binomial sum. */
    private static double logAInteger(double q, double half, int alpha) {
        double log = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= alpha; i++) {
            double logCoef = logBinomial(alpha, i) + i * Math.log(q) + (alpha - i) * Math.log1p(-q);
            log = logAdd(log, logCoef + gaussianExponent(i, half));
            if (log == Double.POSITIVE_INFINITY) {
                break;
            }
        }
        return log;
    }

    /**
     * {@code log A_alpha} for a fractional order: two series, each term with a Gaussian tail. The
     * binomial coefficient is updated term by term, so the work is linear in the number of terms,
     * which the order bounds ({@link #MAX_ORDER}).
     */
    private static double logAFractional(double q, double sigma, double half, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double s2 = Math.sqrt(2) * sigma;
        double sign = 1;
        double logCoef = 0; // log |C(alpha, i)|
        int limit = (int) Math.ceil(alpha) + SERIES_EXTRA_TERMS;
        for (int i = 0; ; i++) {
            if (i > 0) {
                double f = (alpha - (i - 1)) / i;
                sign = f < 0 ? -sign : sign;
                logCoef += Math.log(Math.abs(f));
            }
            double j = alpha - i;
            double logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
            double logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
            double logE0 = Math.log(0.5) + logErfc((i - z0) / s2);
            double logE1 = Math.log(0.5) + logErfc((z0 - j) / s2);
            double logS0 = logT0 + gaussianExponent(i, half) + logE0;
            double logS1 = logT1 + gaussianExponent(j, half) + logE1;
            if (Double.isNaN(logS0) || Double.isNaN(logS1) || logS0 == Double.POSITIVE_INFINITY
                    || logS1 == Double.POSITIVE_INFINITY) {
                return Double.POSITIVE_INFINITY; // a term beyond the largest double
            }
            if (sign > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0, alpha, sigma);
                logA1 = logSub(logA1, logS1, alpha, sigma);
            }
            if (Math.max(logS0, logS1) < SERIES_CUTOFF) {
                break;
            }
            if (i > limit) {
                throw new IllegalArgumentException("the RDP series at order " + alpha + " and noise multiplier "
                        + sigma + " did not converge in " + limit + " terms");
            }
        }
        return logAdd(logA0, logA1);
    }

    /** {@code epsilon = rdp - (log delta + log alpha) / (alpha - 1) + log((alpha - 1) / alpha)}, minimized. */
    private static Spent convert(double[] rdp, double[] orders, double delta) {
        checkDelta(delta);
        double best = Double.NaN;
        double order = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double eps = rdp[k] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            if (!Double.isNaN(eps) && (Double.isNaN(best) || eps < best)) {
                best = eps;
                order = a;
            }
        }
        if (Double.isNaN(best)) {
            return new Spent(Double.POSITIVE_INFINITY, Double.NaN, delta);
        }
        return new Spent(Math.max(0, best), order, delta);
    }

    /** {@code log C(n, k)} for integers. */
    private static double logBinomial(int n, int k) {
        return Gamma.logGamma(n + 1.0) - Gamma.logGamma(k + 1.0) - Gamma.logGamma(n - k + 1.0);
    }

    /**
     * {@code log erfc(x)}, accurate in the far tail where {@code erfc} underflows: there it uses
     * {@code erfc(x) = exp(-x^2) / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6) + ...)}.
     */
    static double logErfc(double x) {
        if (x < 20) {
            return Math.log(Erf.erfc(x));
        }
        double x2 = x * x;
        double series = 1;
        double term = 1;
        for (int k = 1; k < 12; k++) {
            term *= -(2 * k - 1) / (2 * x2);
            series += term;
        }
        return -x2 - Math.log(x) - 0.5 * Math.log(Math.PI) + Math.log(series);
    }

    private static double logAdd(double a, double b) {
        double hi = Math.max(a, b);
        double lo = Math.min(a, b);
        if (hi == Double.NEGATIVE_INFINITY) {
            return hi;
        }
        return hi + Math.log1p(Math.exp(lo - hi));
    }

    /** {@code log(exp(a) - exp(b))} for {@code a >= b}. */
    private static double logSub(double a, double b, double alpha, double sigma) {
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        if (a == b) {
            return Double.NEGATIVE_INFINITY;
        }
        if (a < b) {
            throw new IllegalArgumentException("the RDP series at order " + alpha + " and noise multiplier " + sigma
                    + " cannot be summed accurately in double precision (try other orders)");
        }
        return a + Math.log1p(-Math.exp(b - a));
    }

    private static void check(double q, double sigma) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate must be in (0, 1], found " + q);
        }
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("noise multiplier must be positive and finite, found " + sigma);
        }
    }

    private static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), found " + delta);
        }
    }

    private static void checkOrders(double[] orders) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("orders must hold at least one order");
        }
        for (double a : orders) {
            checkOrder(a);
        }
    }

    private static void checkOrder(double a) {
        if (!(a > 1) || !(a <= MAX_ORDER)) {
            throw new IllegalArgumentException("orders must be above 1 and at most " + (long) MAX_ORDER + ", found " + a
                    + (a > MAX_ORDER ? " (the accounting takes about alpha terms per order; the best order of a"
                    + " DP-SGD run lies below a few hundred)" : ""));
        }
    }
}
