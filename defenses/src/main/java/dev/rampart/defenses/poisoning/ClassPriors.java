package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * Class shares restored after poison removal. Removing what a detector flags can take a large
 * part of one class: under a clean-label attack (SIG, label-consistent) the poison is the target
 * class's own, correctly labelled images, half of it at 5% poison, and every deepened cut also
 * removes some clean examples of the class. A model retrained on the rest learns a smaller prior
 * for that class and misclassifies it (measured on full Fashion-MNIST, SIG 5%: class 0's test
 * accuracy 0.795 before removal, 0.573 after). Here every class whose count falls more than
 * {@link #TOLERANCE} below its share of trusted data, by more than {@link #DEPLETION_Z} standard
 * errors, is resampled up to that share: its kept
 * examples are repeated, the last partial round drawn without replacement under a seed. No class
 * is shrunk, and no example is made up.
 *
 * <p>The scale is robust to the depleted classes: a class's expected count is its trusted share
 * times the median, over classes, of kept count divided by trusted share.
 *
 * <pre>{@code
 * ClassPriors.Restored r = ClassPriors.restore(kept, trusted, 7);
 * routine.train(r.data(), 7);   // r.counts()[c] against r.keptCounts()[c]
 * }</pre>
 */
public final class ClassPriors {

    /** How far below its expected count a class may fall before it is resampled (10%). */
    public static final double TOLERANCE = 0.1;
    /**
     * How many standard errors the class's trusted share must exceed its kept share by (a
     * two-proportion test, as the detectors judge a class): with 50 trusted images per class, a
     * share is uncertain by 13% of itself, and sampling noise alone must not resample a class.
     */
    public static final double DEPLETION_Z = 3;

    private ClassPriors() {
    }

    /**
     * The kept data with depleted classes resampled.
     *
     * @param data the training data to train on: the kept examples, then the repeated ones
     * @param keptCounts each class's count before resampling
     * @param counts after
     */
    public record Restored(LabeledData data, int[] keptCounts, int[] counts) {
        public Restored {
            keptCounts = keptCounts.clone();
            counts = counts.clone();
        }

        @Override
        public int[] keptCounts() {
            return keptCounts.clone();
        }

        @Override
        public int[] counts() {
            return counts.clone();
        }

        /** Whether any class was resampled. */
        public boolean changed() {
            return !Arrays.equals(keptCounts, counts);
        }
    }

    /**
     * Restores the class shares of {@code reference} in {@code kept} where a class fell more than
     * {@link #TOLERANCE} below them. A class absent from the kept data, or from the reference, is
     * left as it is.
     *
     * @param kept the training data after removal (not modified)
     * @param reference trusted data whose class shares the training data should have
     * @throws IllegalArgumentException if either is null or empty, or their class counts differ
     */
    public static Restored restore(LabeledData kept, LabeledData reference, long seed) {
        Check.notNull("kept", kept);
        Check.notNull("reference", reference);
        if (kept.numClasses() != reference.numClasses()) {
            throw new IllegalArgumentException("reference (" + reference.name() + ") has " + reference.numClasses()
                    + " classes but the kept data (" + kept.name() + ") has " + kept.numClasses());
        }
        int classes = kept.numClasses();
        int[] y = kept.labels();
        int[] n = counts(y, classes);
        int[] ref = counts(reference.labels(), classes);
        double refTotal = reference.size();
        double[] perShare = java.util.stream.IntStream.range(0, classes).filter(c -> ref[c] > 0 && n[c] > 0)
                .mapToDouble(c -> n[c] / (ref[c] / refTotal)).toArray();
        if (perShare.length == 0) {
            return new Restored(kept, n, n);
        }
        double scale = new Median().evaluate(perShare);
        int[] target = n.clone();
        int extra = 0;
        for (int c = 0; c < classes; c++) {
            long expected = Math.round(scale * ref[c] / refTotal);
            boolean significant = Metrics.excessZ(ref[c], reference.size(), n[c], kept.size()) > DEPLETION_Z;
            if (n[c] > 0 && n[c] < (1 - TOLERANCE) * expected && significant) {
                target[c] = (int) Math.min(Integer.MAX_VALUE / 2, expected);
                extra += target[c] - n[c];
            }
        }
        if (extra == 0) {
            return new Restored(kept, n, n);
        }
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[n[c]];
        }
        int[] fill = new int[classes];
        for (int i = 0; i < y.length; i++) {
            byClass[y[i]][fill[y[i]]++] = i;
        }
        int[] rows = new int[y.length + extra];
        for (int i = 0; i < y.length; i++) {
            rows[i] = i;
        }
        int at = y.length;
        for (int c = 0; c < classes; c++) {
            int more = target[c] - n[c];
            for (int round = 0; round < more / n[c]; round++) {
                System.arraycopy(byClass[c], 0, rows, at, n[c]);
                at += n[c];
            }
            SplittableRandom rnd = Seeds.random(Seeds.derive(seed, c));
            for (int k : Seeds.sample(n[c], more % n[c], rnd)) {
                rows[at++] = byClass[c][k];
            }
        }
        return new Restored(kept.rows(rows, kept.name() + ":priors-restored"), n, target);
    }

    private static int[] counts(int[] labels, int classes) {
        int[] out = new int[classes];
        for (int l : labels) {
            out[l]++;
        }
        return out;
    }
}
