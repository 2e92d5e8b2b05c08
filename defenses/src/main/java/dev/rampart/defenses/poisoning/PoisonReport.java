package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.report.Provenance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a poison detector found in a training set: the examples it flags (to remove), a score per
 * example (higher is more suspicious; 0 where the detector gives none), a summary per class with
 * the detector's own figures, the detector's configuration (and so its seed) and provenance. A
 * report holds no NaN: its constructor refuses one. {@link #against} scores it against the truth,
 * when the truth is known (experiments).
 *
 * <pre>{@code
 * PoisonReport r = SpectralSignatures.builder(model).expectedPoisonRate(0.05).build().detect(train);
 * PoisonReport.Score s = r.against(poisoned.poisonedMask());
 * System.out.printf("recall %.2f precision %.2f%n", s.recall(), s.precision());
 * }</pre>
 *
 * @param detector the detector's name
 * @param config the detector's configuration record
 * @param flagged per example
 * @param scores per example
 * @param classes one summary per class of the data
 * @param provenance versions and backend
 */
public record PoisonReport(String detector, PoisonDetector.Config config, boolean[] flagged, double[] scores,
        List<ClassSummary> classes, Provenance provenance) {

    /** @throws IllegalArgumentException if the lengths differ or a score is not finite */
    public PoisonReport {
        Check.notNull("detector", detector);
        Check.notNull("config", config);
        if (flagged.length != scores.length) {
            throw new IllegalArgumentException("flagged has " + flagged.length + " entries, scores " + scores.length);
        }
        Check.finite(scores, "scores");
        flagged = flagged.clone();
        scores = scores.clone();
        classes = List.copyOf(classes);
    }

    /** A detector's report made now. */
    static PoisonReport of(PoisonDetector d, boolean[] flagged, double[] scores, List<ClassSummary> classes) {
        return new PoisonReport(d.name(), d.config(), flagged, scores, classes, Provenance.current());
    }

    /** The detector's verdict on one class. */
    public enum Verdict {
        /** Nothing suspicious found. */
        CLEAN,
        /** Judged poisoned: its flagged examples are the poison. */
        SUSPICIOUS,
        /** Too few examples to judge. */
        NOT_JUDGED
    }

    /**
     * One class's result.
     *
     * @param label the class
     * @param examples its examples in the data
     * @param flagged of them flagged
     * @param verdict the detector's verdict on the class
     * @param figures the detector's own figures for the class, by name, in order (finite values),
     *     such as {@code smallerClusterShare} and {@code silhouette}
     */
    public record ClassSummary(int label, int examples, int flagged, Verdict verdict, Map<String, Double> figures) {

        /** @throws IllegalArgumentException if a figure is not finite */
        public ClassSummary {
            Check.notNull("verdict", verdict);
            for (Map.Entry<String, Double> f : figures.entrySet()) {
                if (f.getValue() == null || !Double.isFinite(f.getValue())) {
                    throw new IllegalArgumentException("figure " + f.getKey() + " of class " + label
                            + " must be finite, found " + f.getValue());
                }
            }
            figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        }

        /** Whether the detector judged the class poisoned. */
        public boolean suspicious() {
            return verdict == Verdict.SUSPICIOUS;
        }

        /** The figures as text, such as {@code smallerClusterShare 0.463, silhouette 0.351}. */
        public String detail() {
            if (verdict == Verdict.NOT_JUDGED) {
                return "too few examples to judge";
            }
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, Double> f : figures.entrySet()) {
                b.append(b.length() == 0 ? "" : ", ").append(f.getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%.4g", f.getValue()));
            }
            return b.toString();
        }
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

        /**
         * Scores the flags {@code flagged} (of any removal or detector) against {@code poisoned}.
         *
         * @throws IllegalArgumentException if either is null or their lengths differ
         */
        public static Score of(boolean[] flagged, boolean[] poisoned) {
            if (flagged == null) {
                throw new IllegalArgumentException("flagged must not be null");
            }
            if (poisoned == null || poisoned.length != flagged.length) {
                throw new IllegalArgumentException("poisoned must have one entry per example (" + flagged.length
                        + "), found " + (poisoned == null ? "null" : poisoned.length));
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

    @Override
    public boolean[] flagged() {
        return flagged.clone();
    }

    @Override
    public double[] scores() {
        return scores.clone();
    }

    /** The seed of the detector's random choices. */
    public long seed() {
        return config.seed();
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
        return Score.of(flagged, poisoned);
    }
}
