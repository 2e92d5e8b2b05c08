package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several {@link ReferenceDetector}s judged as one, under one precision target. Removing the union
 * of separate verdicts adds up their false positives: each detector deepens its cut until its own
 * flags are estimated at 80% poison, and what one flags and the others do not is mostly clean (on
 * full Fashion-MNIST, three such detectors' union kept 0.70 precision where each kept 0.78-0.99,
 * and retraining without it cost 1.7 points of accuracy). Here every member's score of an example is
 * turned into a conformal p-value against the class's trusted scores of that member
 * ({@code (1 + #{trusted >= s}) / (m + 1)}; each trusted example against the others), the example's
 * score is the sum of their surprisals {@code -ln p} (Fisher's method, 1932: the product of the
 * p-values), and the class is judged on that one score with the members' test ({@link ReferenceCut}:
 * trusted quantile, two-proportion excess, then the cut lowered while the estimated precision stays
 * at least {@code targetPrecision}). Since the trusted examples are scored the same way, the combined
 * score of clean examples is distributed as the trusted ones', whichever member would have caught
 * the poison; poison that several members each see a little outside their trusted range adds up
 * their evidence, and the joint cut stops where the members' marginal flags stop paying for
 * themselves. {@link Combination#MINIMUM} takes the smallest p-value instead (Tippett's method,
 * 1931): on full Fashion-MNIST the sum kept equal or higher precision in every cell of the matrix,
 * and recall within 0.007 of the minimum's or above (WaNet at 1%: 0.897 / 0.875 against 0.863 /
 * 0.855; label-consistent at 1%: 0.992 / 0.920 against 0.998 / 0.834, at one standard error of
 * precision margin; BENCHMARKS.md). Where some members judge a class poisoned on their
 * own, only those are combined for it: a member that sees nothing there adds its clean tail and
 * nothing else (on full Fashion-MNIST, SIG at 1% was caught by the contrast alone at recall 1.000,
 * and the three members together kept 0.327 of it). Where none does, all are combined, so that
 * poison each member sees a little of can still be found. Conformal p-values are Vovk, Gammerman
 * &amp; Shafer's (2005).
 *
 * <p>The members must score the same trusted set (the same examples per class, as
 * {@link ReferenceScores.ClassScores#trustedIndices()} tells); each member's own verdict is
 * available from the same scores ({@link #detectAll}), at no second cost.
 *
 * <pre>{@code
 * TrustedUnion u = TrustedUnion.builder(
 *         Spectre.builder(model).reference(trusted).build(),
 *         TrustedLabelCheck.builder(routine, trusted).build(),
 *         TrustedContrast.builder(trusted).build()).build();
 * TrustedUnion.Outcome o = u.detectAll(train);
 * o.union().flagged();     // to remove
 * o.members();             // each detector's own verdict, for the report
 * }</pre>
 */
public final class TrustedUnion implements PoisonDetector {

    /**
     * The joint judgement's configuration.
     *
     * @param members the members' configurations, in order
     * @param falsePositiveRate the share of a class's trusted examples above the judging cut
     * @param anomalyThreshold a class is poisoned when its share above that cut exceeds the trusted
     *     share by more than this many standard errors
     * @param targetPrecision in a poisoned class, the cut is lowered while the estimated precision
     *     of the flags stays at least this, in (0, 1]
     * @param precisionMargin the precision estimate takes the clean share above a cut this many
     *     standard errors above the trusted share (at least 0)
     * @param combination how an example's p-values under the members are combined
     */
    public record Config(List<PoisonDetector.Config> members, double falsePositiveRate, double anomalyThreshold,
            double targetPrecision, double precisionMargin, Combination combination) implements PoisonDetector.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            members = List.copyOf(Check.notNull("members", members));
            Check.notNull("combination", combination);
            ReferenceCut.checkSettings(falsePositiveRate, anomalyThreshold, targetPrecision);
            Check.finiteNotNegative("precisionMargin", precisionMargin);
        }

        /** The first member's seed. */
        @Override
        public long seed() {
            return members.isEmpty() ? 0 : members.get(0).seed();
        }
    }

    /** How an example's p-values under the members become its one score. */
    public enum Combination {
        /** The smallest p-value (Tippett 1931): an example one member sees far outside its trusted range is kept. */
        MINIMUM,
        /**
         * The product of the p-values, as the sum of their surprisals (Fisher 1932): an example that
         * several members each see a little outside their trusted range adds up their evidence.
         */
        FISHER
    }

    /**
     * The joint verdict and each member's own.
     *
     * @param union the joint verdict
     * @param members each member's verdict on its own scores, in the members' order
     */
    public record Outcome(PoisonReport union, List<PoisonReport> members) {
        public Outcome {
            members = List.copyOf(members);
        }

        /**
         * The union of the members' own verdicts on the examples labelled {@code labels} (the
         * judged data's): an example is flagged when any member flags it (its score is the number
         * of members that do), a class is suspicious when any member judged it so. It finds more
         * poison than the joint verdict where the members find different parts of it (WaNet at 1%
         * in BENCHMARKS.md: recall 0.808 against 0.628), and keeps less precision where their false
         * positives differ (0.70-0.78 against 0.79-0.83 on the other cells).
         *
         * @throws IllegalArgumentException if {@code labels} does not hold one label per example
         */
        public PoisonReport any(int[] labels) {
            int n = union.flagged().length;
            if (labels == null || labels.length != n) {
                throw new IllegalArgumentException("labels must hold one label per judged example (" + n + "), found "
                        + (labels == null ? "null" : labels.length));
            }
            boolean[] flagged = new boolean[n];
            double[] count = new double[n];
            for (PoisonReport r : members) {
                boolean[] f = r.flagged();
                for (int i = 0; i < n; i++) {
                    flagged[i] |= f[i];
                    count[i] += f[i] ? 1 : 0;
                }
            }
            List<PoisonReport.ClassSummary> classes = new ArrayList<>();
            for (PoisonReport.ClassSummary c : union.classes()) {
                int k = 0;
                for (int i = 0; i < n; i++) {
                    k += flagged[i] && labels[i] == c.label() ? 1 : 0;
                }
                boolean suspicious = members.stream().anyMatch(r -> r.classes().stream()
                        .anyMatch(m -> m.label() == c.label() && m.suspicious()));
                classes.add(new PoisonReport.ClassSummary(c.label(), c.examples(), k, suspicious
                        ? PoisonReport.Verdict.SUSPICIOUS : PoisonReport.Verdict.CLEAN, java.util.Map.of()));
            }
            return new PoisonReport("any of " + members.stream().map(PoisonReport::detector).toList(), union.config(),
                    flagged, count, classes, union.provenance());
        }
    }

    private final List<ReferenceDetector> members;
    private final Config config;

    private TrustedUnion(List<ReferenceDetector> members, Config config) {
        this.members = members;
        this.config = config;
    }

    /** @param members at least one detector, each with trusted examples (the same set) */
    public static Builder builder(ReferenceDetector... members) {
        return new Builder(members == null ? null : Arrays.asList(members));
    }

    /** @param members at least one detector, each with trusted examples (the same set) */
    public static Builder builder(List<? extends ReferenceDetector> members) {
        return new Builder(members == null ? null : new ArrayList<>(members));
    }

    @Override
    public String name() {
        return "trusted union";
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public int minimumPerClass() {
        return members.stream().mapToInt(PoisonDetector::minimumPerClass).max().orElse(1);
    }

    @Override
    public PoisonReport detect(LabeledData data) {
        return detectAll(data).union();
    }

    /**
     * Scores {@code data} with every member once, and judges jointly and per member.
     *
     * @throws IllegalArgumentException if the data does not fit a member, or the members scored
     *     different trusted examples
     */
    public Outcome detectAll(LabeledData data) {
        Check.notNull("data", data);
        List<ReferenceScores> scores = new ArrayList<>();
        for (ReferenceDetector m : members) {
            scores.add(m.referenceScores(data));
        }
        return judgeAll(scores);
    }

    /**
     * The joint and the members' verdicts on scores already made, one per member in order (for
     * example with activations computed elsewhere).
     *
     * @throws IllegalArgumentException if there is not one score per member, a score is not its
     *     member's, or the members scored different data or trusted examples
     */
    public Outcome judgeAll(List<ReferenceScores> scores) {
        Check.notNull("scores", scores);
        if (scores.size() != members.size()) {
            throw new IllegalArgumentException("scores must hold one entry per member (" + members.size() + "), found "
                    + scores.size());
        }
        List<PoisonReport> own = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            own.add(members.get(k).judge(Check.notNull("scores[" + k + "]", scores.get(k))));
        }
        return new Outcome(judge(scores, own), own);
    }

    /**
     * The joint verdict on the members' scores (checked as in {@link #judgeAll}); {@code own} are
     * the members' verdicts on them, whose excess per class the summary repeats.
     */
    private PoisonReport judge(List<ReferenceScores> scores, List<PoisonReport> own) {
        ReferenceScores first = scores.get(0);
        int n = first.size();
        int classes = first.classes().size();
        for (ReferenceScores s : scores) {
            if (s.size() != n || s.classes().size() != classes) {
                throw new IllegalArgumentException(s.detector() + " scored " + s.size() + " examples in "
                        + s.classes().size() + " classes, " + first.detector() + " " + n + " in " + classes);
            }
        }
        boolean[] flagged = new boolean[n];
        double[] perExample = new double[n];
        List<PoisonReport.ClassSummary> summary = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            ReferenceScores.ClassScores base = first.classes().get(c);
            List<Integer> judging = new ArrayList<>(); // the members that judged the class, by index
            for (int k = 0; k < scores.size(); k++) {
                ReferenceScores s = scores.get(k);
                ReferenceScores.ClassScores cs = s.classes().get(c);
                if (!Arrays.equals(cs.indices(), base.indices())) {
                    throw new IllegalArgumentException(s.detector() + " and " + first.detector()
                            + " scored different examples of class " + c);
                }
                if (cs.judged()) {
                    if (!judging.isEmpty() && !Arrays.equals(cs.trustedIndices(),
                            scores.get(judging.get(0)).classes().get(c).trustedIndices())) {
                        throw new IllegalArgumentException(s.detector() + " and " + scores.get(judging.get(0))
                                .detector() + " judged class " + c + " against different trusted examples");
                    }
                    judging.add(k);
                }
            }
            int cls = c;
            List<Integer> seeing = judging.stream().filter(k -> own.get(k).classes().get(cls).suspicious()).toList();
            if (!seeing.isEmpty()) {
                // the members that found the class poisoned judge it: the others add only clean tails
                judging = seeing;
            }
            int[] idx = base.indices();
            if (judging.isEmpty()) {
                summary.add(new PoisonReport.ClassSummary(c, idx.length, 0, PoisonReport.Verdict.NOT_JUDGED, Map.of()));
                continue;
            }
            int m = scores.get(judging.get(0)).classes().get(c).trusted().length;
            double[] s = new double[idx.length];
            double[] t = new double[m];
            Map<String, Double> figures = new LinkedHashMap<>();
            for (int k : judging) {
                ReferenceScores.ClassScores cs = scores.get(k).classes().get(c);
                double[] sorted = cs.trusted();
                Arrays.sort(sorted);
                double[] train = cs.train();
                for (int j = 0; j < s.length; j++) {
                    s[j] = combine(s[j], -Math.log((1.0 + atLeast(sorted, train[j])) / (m + 1)));
                }
                double[] trusted = cs.trusted();
                for (int i = 0; i < m; i++) {
                    // against the other trusted examples: itself is always at least itself
                    t[i] = combine(t[i], -Math.log((double) atLeast(sorted, trusted[i]) / m));
                }
                figures.put("excessZ:" + scores.get(k).detector(),
                        own.get(k).classes().get(c).figures().get("excessZ"));
            }
            for (int j = 0; j < idx.length; j++) {
                perExample[idx[j]] = s[j];
            }
            summary.add(ReferenceCut.classify(c, idx, s, t, "Surprisal", config.falsePositiveRate(),
                    config.anomalyThreshold(), config.targetPrecision(), config.precisionMargin(), true, figures,
                    flagged));
        }
        return PoisonReport.of(this, flagged, perExample, summary);
    }

    /** The running combined surprisal {@code sofar} with one member's {@code surprisal} added in. */
    private double combine(double sofar, double surprisal) {
        return config.combination() == Combination.FISHER ? sofar + surprisal : Math.max(sofar, surprisal);
    }

    /** How many of the ascending {@code sorted} are at least {@code v}. */
    private static int atLeast(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return sorted.length - lo;
    }

    /** Builds a {@link TrustedUnion}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final List<ReferenceDetector> members;
        private double falsePositiveRate = 0.01;
        private double anomalyThreshold = 3;
        private double targetPrecision = 0.8;
        private double precisionMargin = ReferenceCut.DEFAULT_MARGIN;
        private Combination combination = Combination.FISHER;

        private Builder(List<ReferenceDetector> members) {
            this.members = members;
        }

        /** The share of a class's trusted examples above the judging cut (default 0.01). */
        public Builder falsePositiveRate(double rate) {
            this.falsePositiveRate = rate;
            return this;
        }

        /** Standard errors of excess that judge a class poisoned (default 3). */
        public Builder anomalyThreshold(double threshold) {
            this.anomalyThreshold = threshold;
            return this;
        }

        /** The estimated precision a poisoned class's cut keeps (default 0.8). */
        public Builder targetPrecision(double precision) {
            this.targetPrecision = precision;
            return this;
        }

        /**
         * Standard errors by which the precision estimate takes the clean share above a cut to exceed
         * the trusted share (default 1.645, a one-sided 95% bound): higher keeps precision more
         * surely, at some recall.
         */
        public Builder precisionMargin(double margin) {
            this.precisionMargin = margin;
            return this;
        }

        /** How an example's p-values under the members are combined (default {@link Combination#FISHER}). */
        public Builder combination(Combination combination) {
            this.combination = combination;
            return this;
        }

        /**
         * @throws IllegalArgumentException if there are no members, a member is null or has no
         *     trusted examples, or a setting is invalid
         */
        public TrustedUnion build() {
            if (members == null || members.isEmpty()) {
                throw new IllegalArgumentException("members must hold at least one detector, found "
                        + (members == null ? "null" : "none"));
            }
            List<PoisonDetector.Config> configs = new ArrayList<>();
            for (int k = 0; k < members.size(); k++) {
                ReferenceDetector d = members.get(k);
                if (d == null) {
                    throw new IllegalArgumentException("members[" + k + "] is null");
                }
                if (d.referenceSize() == 0) {
                    throw new IllegalArgumentException("members[" + k + "] (" + d.name() + ") has no trusted examples");
                }
                configs.add(d.config());
            }
            return new TrustedUnion(List.copyOf(members), new Config(configs, falsePositiveRate, anomalyThreshold,
                    targetPrecision, precisionMargin, combination));
        }
    }
}
