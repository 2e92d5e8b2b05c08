package dev.rampart.defenses.poisoning;

import java.util.List;

/**
 * What a poison detector found in a training set: the examples it flags (to remove), a score per
 * example (higher is more suspicious; 0 where the detector gives none), and a line per class. A report
 * holds no NaN: its constructor refuses one.
 * {@link #against} scores it against the truth, when the truth is known (experiments).
 *
 * <pre>{@code
 * PoisonReport r = SpectralSignatures.builder(model).expectedPoisonRate(0.05).build().detect(train);
 * PoisonReport.Score s = r.against(poisoned.poisonedMask());
 * System.out.printf("recall %.2f precision %.2f%n", s.recall(), s.precision());
 * }</pre>
 *
 * @param detector the detector and its settings
 * @param flagged per example
 * @param scores per example
 * @param classes one summary per class of the data
 */
public record PoisonReport(String detector, boolean[] flagged, double[] scores, List<ClassSummary> classes) {

    /** @throws IllegalArgumentException if the lengths differ or a score is not finite */
    public PoisonReport {
        if (flagged.length != scores.length) {
            throw new IllegalArgumentException("flagged has " + flagged.length + " entries, scores " + scores.length);
        }
        dev.rampart.core.check.Check.finite(scores, "scores");
        flagged = flagged.clone();
        scores = scores.clone();
        classes = List.copyOf(classes);
    }

    /**
     * One class's result.
     *
     * @param label the class
     * @param examples its examples in the data
     * @param flagged of them flagged
     * @param suspicious whether the detector judges the class poisoned (detectors that judge classes)
     * @param detail the detector's own figures for the class (for example cluster sizes and silhouette)
     */
    public record ClassSummary(int label, int examples, int flagged, boolean suspicious, String detail) {
    }

    /**
     * Detection against the truth.
     *
     * @param truePositives poisoned and flagged
     * @param flagged flagged
     * @param poisoned poisoned
     * @param recall share of the poisoned that are flagged (NaN without poison)
     * @param precision share of the flagged that are poisoned (NaN if nothing is flagged)
     * @param falsePositiveRate share of the clean that are flagged
     */
    public record Score(int truePositives, int flagged, int poisoned, double recall, double precision,
            double falsePositiveRate) {
    }

    @Override
    public boolean[] flagged() {
        return flagged.clone();
    }

    @Override
    public double[] scores() {
        return scores.clone();
    }

    /** Number of flagged examples. */
    public int flaggedCount() {
        int k = 0;
        for (boolean f : flagged) {
            k += f ? 1 : 0;
        }
        return k;
    }

    /**
     * Scores the flags against {@code poisoned}.
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public Score against(boolean[] poisoned) {
        if (poisoned == null || poisoned.length != flagged.length) {
            throw new IllegalArgumentException("poisoned must have one entry per example (" + flagged.length + ")");
        }
        int tp = 0;
        int f = 0;
        int p = 0;
        for (int i = 0; i < flagged.length; i++) {
            tp += flagged[i] && poisoned[i] ? 1 : 0;
            f += flagged[i] ? 1 : 0;
            p += poisoned[i] ? 1 : 0;
        }
        int clean = flagged.length - p;
        return new Score(tp, f, p, p == 0 ? Double.NaN : (double) tp / p, f == 0 ? Double.NaN : (double) tp / f,
                clean == 0 ? Double.NaN : (double) (f - tp) / clean);
    }
}
