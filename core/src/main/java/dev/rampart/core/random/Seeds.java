package dev.rampart.core.random;

import java.util.SplittableRandom;

/**
 * Seeding: one user seed fixes every random choice of a run. Sub-seeds for restarts, batches and
 * components are derived with {@link #derive}, so that results do not depend on thread count,
 * backend or the order in which batches are processed.
 *
 * <pre>{@code
 * long restartSeed = Seeds.derive(config.seed(), batchIndex, restart);
 * SplittableRandom rnd = Seeds.random(restartSeed);
 * }</pre>
 */
public final class Seeds {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** A generator for {@code seed}. */
    public static SplittableRandom random(long seed) {
        return new SplittableRandom(seed);
    }

    /** A well-mixed seed derived from {@code seed} and a path of indices (SplitMix64 finalizer). */
    public static long derive(long seed, long... path) {
        long h = mix(seed);
        for (long p : path) {
            h = mix(h + GOLDEN * (p + 1));
        }
        return h;
    }

    /** A standard normal draw (Box-Muller; one of the pair is discarded, for simplicity). */
    public static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * {@code k} distinct indices of {@code 0..n-1}, in the order a partial Fisher-Yates shuffle
     * draws them (one {@code nextInt} per index).
     *
     * @throws IllegalArgumentException unless {@code 0 <= k <= n}
     */
    public static int[] sample(int n, int k, SplittableRandom rnd) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot draw " + k + " distinct indices from " + n);
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
