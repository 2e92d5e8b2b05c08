package dev.rampart.defenses.poisoning;

import dev.rampart.core.metric.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A class judged against its own trusted examples, on any score where higher means more suspect:
 * the cut is the trusted scores' {@code 1 - falsePositiveRate} quantile, or lower where that would
 * leave fewer than {@link #MIN_TRUSTED_ABOVE} trusted examples above it, and the class is poisoned
 * when the share of its training examples above the cut exceeds the trusted share by more than
 * {@code threshold} standard errors (a two-proportion test). Shared by the detectors that take a
 * trusted reference. In a poisoned class, {@link #deepen} lowers the cut as far as an estimate of
 * the flags' precision allows.
 *
 * @param cut the score above which an example is unexplained by the trusted data
 * @param shareAbove the share of the class's training examples above the cut
 * @param trustedShareAbove the share of its trusted examples above the cut
 * @param excessZ the two-proportion z-score of the difference
 * @param poisoned whether {@code excessZ} exceeds the threshold
 */
record ReferenceCut(double cut, double shareAbove, double trustedShareAbove, double excessZ, boolean poisoned) {

    /**
     * @param scores the class's training examples' scores
     * @param trusted the class's trusted examples' scores (at least one)
     */
    static ReferenceCut judge(double[] scores, double[] trusted, double falsePositiveRate, double threshold) {
        double[] sorted = trusted.clone();
        Arrays.sort(sorted);
        int at = Math.min((int) Math.ceil((1 - falsePositiveRate) * sorted.length) - 1,
                sorted.length - 1 - MIN_TRUSTED_ABOVE);
        double cut = sorted[Math.max(0, Math.min(sorted.length - 1, at))];
        long k1 = above(scores, cut);
        long k2 = above(trusted, cut);
        double z = Metrics.excessZ(k1, scores.length, k2, trusted.length);
        return new ReferenceCut(cut, (double) k1 / scores.length, (double) k2 / trusted.length, z, z > threshold);
    }

    /**
     * Trusted examples the judging cut leaves above it at least: with a hundred trusted examples of
     * a class, the 0.99 quantile is the largest one, and a single outlier would set the cut (on the
     * bundled sample it hid a SIG-poisoned class whose poison scored far above every other trusted
     * example). Five keep the two-proportion test's trusted share measurable.
     */
    static final int MIN_TRUSTED_ABOVE = 5;

    /** How many of {@code v} lie strictly above {@code cut}. */
    static long above(double[] v, double cut) {
        return Arrays.stream(v).filter(t -> t > cut).count();
    }

    /**
     * Trusted examples a poisoned class needs for its cut to be lowered: the precision estimate at a
     * cut rests on the few trusted examples above it (measured: with 50 per class, a cut set for 0.8
     * gave 0.77). With fewer, the judging cut stands.
     */
    static final int DEEP_CUT_MIN = 80;

    /**
     * Standard errors the clean share above a cut is taken above the trusted share, by default: a
     * one-sided 95% upper bound.
     */
    static final double DEFAULT_MARGIN = 1.645;

    /** The quantile step of the cuts tried in a poisoned class. */
    private static final double CUT_STEP = 0.005;
    /** The deepest cut tried: the trusted share above it. */
    private static final double DEEPEST = 0.5;
    /** The trusted shares above the cuts the poison share is estimated at. */
    private static final double[] SHARE_LEVELS = {0.05, 0.1, 0.2, 0.3, 0.5};

    /**
     * A poisoned class's deepened cut.
     *
     * @param cut the lowest cut whose estimated precision, and every higher cut's, meets the target
     * @param poisonShare the class's estimated poison share
     * @param precision the estimated precision of the flags above {@code cut}
     */
    record Deep(double cut, double poisonShare, double precision) {
    }

    /**
     * In a poisoned class: the lowest cut (a trusted quantile, from the judging cut down to the
     * trusted median) whose estimated precision, and every higher cut's, is at least
     * {@code targetPrecision}. The poison share {@code pi} is estimated from how far the training
     * scores exceed the trusted ones: above a cut with trusted share {@code F} and training share
     * {@code S}, {@code (S - F) / (1 - F)} is at most {@code pi}, and equal to it once the cut has
     * all the poison above it; its one-sided 95% lower bound (a small trusted set is noisy, and an
     * overestimate would cut deep into the clean examples), the largest over cuts at trusted shares
     * 0.05 to 0.5. A cut's estimated precision is {@code 1 - (1 - pi) F' / S}, with {@code F'} the
     * trusted share {@code margin} standard errors above its estimate (by default
     * {@link #DEFAULT_MARGIN}, 1.645, a one-sided 95% bound): the goal is a precision of at least the target, and with a few hundred trusted
     * examples a point estimate set at the target misses it in about half the classes (measured on
     * full Fashion-MNIST, BadNets 1%: estimated 0.80, found 0.789). One standard error was not enough
     * either, because the chosen cut is the deepest that meets the target and so tends to stop where
     * the trusted share happens to run low (held-out Blend 1%: estimated 0.806, found 0.788; 0.835 at
     * 1.645, at the same recall; BENCHMARKS.md).
     *
     * @param s the class's training scores
     * @param t its trusted scores
     * @param margin standard errors added to the trusted share above a cut
     */
    Deep deepen(double[] s, double[] t, double falsePositiveRate, double targetPrecision, double margin) {
        double[] sorted = t.clone();
        Arrays.sort(sorted);
        int m = sorted.length;
        List<double[]> cuts = new ArrayList<>(); // {cut, S, F}
        for (double f = falsePositiveRate; f <= DEEPEST + 1e-12; f += CUT_STEP) {
            double v = sorted[Math.max(0, Math.min(m - 1, (int) Math.ceil((1 - f) * m) - 1))];
            cuts.add(new double[] {v, (double) above(s, v) / s.length, (double) above(t, v) / m});
        }
        double pi = 0;
        for (double level : SHARE_LEVELS) {
            double f = 0;
            double sh = 0;
            for (double[] c : cuts) {
                if (c[2] <= level) {
                    f = c[2];
                    sh = c[1];
                }
            }
            double sd = Math.sqrt(sh * (1 - sh) / s.length + f * (1 - f) / m);
            pi = Math.max(pi, (sh - f - 1.645 * sd) / (1 - f));
        }
        pi = Math.min(1, pi);
        double best = cut;
        double precision = precision(shareAbove, trustedShareAbove, m, pi, margin);
        for (double[] c : cuts) {
            double p = precision(c[1], c[2], m, pi, margin);
            if (p < targetPrecision) {
                break;
            }
            if (c[0] < best) {
                best = c[0];
                precision = p;
            }
        }
        return new Deep(best, pi, precision);
    }

    /**
     * Judges class {@code label} on its training scores {@code s} (examples {@code idx} of the data)
     * against its trusted scores {@code t}, deepens the cut of a poisoned class when {@code deepen}
     * and it has at least {@link #DEEP_CUT_MIN} trusted scores, sets {@code flagged} for the examples
     * above the cut, and returns the class's summary: the detector's own figures {@code extra}, then
     * the judgement's, named after the score {@code score} ("meanContrast", ...).
     */
    static PoisonReport.ClassSummary classify(int label, int[] idx, double[] s, double[] t, String score,
            double falsePositiveRate, double threshold, double targetPrecision, boolean deepen,
            Map<String, Double> extra, boolean[] flagged) {
        return classify(label, idx, s, t, score, falsePositiveRate, threshold, targetPrecision, DEFAULT_MARGIN, deepen,
                extra, flagged);
    }

    /** {@link #classify} with the precision estimate's {@code margin} in standard errors ({@link #deepen}). */
    static PoisonReport.ClassSummary classify(int label, int[] idx, double[] s, double[] t, String score,
            double falsePositiveRate, double threshold, double targetPrecision, double margin, boolean deepen,
            Map<String, Double> extra, boolean[] flagged) {
        ReferenceCut judged = judge(s, t, falsePositiveRate, threshold);
        Map<String, Double> figures = new LinkedHashMap<>(extra);
        figures.put("mean" + score, Arrays.stream(s).average().orElse(0));
        figures.put("trustedMean" + score, Arrays.stream(t).average().orElse(0));
        figures.put("referenceShareAbove", judged.trustedShareAbove());
        figures.put("excessZ", judged.excessZ());
        double cut = judged.cut();
        if (deepen && judged.poisoned() && t.length >= DEEP_CUT_MIN) {
            Deep deep = judged.deepen(s, t, falsePositiveRate, targetPrecision, margin);
            cut = deep.cut();
            figures.put("estimatedPoisonShare", deep.poisonShare());
            figures.put("estimatedPrecision", deep.precision());
        }
        figures.put("splitThreshold", cut);
        int count = 0;
        for (int j = 0; j < idx.length; j++) {
            if (judged.poisoned() && s[j] > cut) {
                flagged[idx[j]] = true;
                count++;
            }
        }
        return new PoisonReport.ClassSummary(label, idx.length, count, judged.poisoned()
                ? PoisonReport.Verdict.SUSPICIOUS : PoisonReport.Verdict.CLEAN, figures);
    }

    /**
     * Detector {@code d}'s report on its {@code scores}: every judged class through
     * {@link #classify}, the others reported as not judged.
     *
     * @throws IllegalArgumentException if the scores are not {@code d}'s
     */
    static PoisonReport report(PoisonDetector d, ReferenceScores scores, double falsePositiveRate, double threshold,
            double targetPrecision, boolean deepen) {
        dev.rampart.core.check.Check.notNull("scores", scores);
        if (!scores.detector().equals(d.name())) {
            throw new IllegalArgumentException("the scores are " + scores.detector() + "'s, not " + d.name() + "'s");
        }
        boolean[] flagged = new boolean[scores.size()];
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
        for (ReferenceScores.ClassScores c : scores.classes()) {
            summary.add(!c.judged()
                    ? new PoisonReport.ClassSummary(c.label(), c.indices().length, 0, PoisonReport.Verdict.NOT_JUDGED,
                            c.figures())
                    : classify(c.label(), c.indices(), c.train(), c.trusted(), scores.score(), falsePositiveRate,
                            threshold, targetPrecision, deepen, c.figures(), flagged));
        }
        return PoisonReport.of(d, flagged, scores.perExample(), summary);
    }

    /**
     * Checks the judging settings shared by the detectors with a trusted reference.
     *
     * @throws IllegalArgumentException naming the first invalid value
     */
    static void checkSettings(double falsePositiveRate, double anomalyThreshold, double targetPrecision) {
        if (!(falsePositiveRate > 0 && falsePositiveRate < 0.5)) {
            throw new IllegalArgumentException("falsePositiveRate must be in (0, 0.5), found " + falsePositiveRate);
        }
        dev.rampart.core.check.Check.positive("anomalyThreshold", anomalyThreshold);
        if (!(targetPrecision > 0 && targetPrecision <= 1)) {
            throw new IllegalArgumentException("targetPrecision must be in (0, 1], found " + targetPrecision);
        }
    }

    /**
     * The estimated share of poison among the examples above a cut, with the clean share above it
     * taken {@code margin} standard errors above the {@code m} trusted examples' share.
     */
    private static double precision(double shareAbove, double trustedShareAbove, int m, double pi, double margin) {
        double f = trustedShareAbove + margin * Math.sqrt(trustedShareAbove * (1 - trustedShareAbove) / m);
        return shareAbove <= 0 ? 0 : Math.max(0, 1 - (1 - pi) * f / shareAbove);
    }
}
