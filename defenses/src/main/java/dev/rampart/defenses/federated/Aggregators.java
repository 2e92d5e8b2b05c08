package dev.rampart.defenses.federated;

import java.util.List;
import java.util.Locale;

/**
 * The aggregation rules by name, for tools and benchmark programs that take the rule as text: one
 * place that knows each rule's settings and the round sizes it needs.
 *
 * <pre>{@code
 * Aggregator krum = Aggregators.named("krum", Aggregators.Settings.of(10, 2));   // 10 per round, f = 2
 * Aggregator trim = Aggregators.named("trimmed-mean", Aggregators.Settings.of(10, 2).trim(0.1));
 * }</pre>
 */
public final class Aggregators {

    /** Every name {@link #named} takes. */
    public static final List<String> NAMES = List.of("fedavg", "median", "trimmed-mean", "krum", "multi-krum",
            "bulyan", "norm-bound", "fltrust", "dp-fedavg");

    private Aggregators() {
    }

    /**
     * What the rules are told.
     *
     * @param perRound clients per round, at least 1 (Krum's and Bulyan's round-size conditions,
     *        Multi-Krum's {@code m = perRound - f}, DP-FedAvg's expected clients)
     * @param f malicious clients per round that Krum, Multi-Krum and Bulyan tolerate, at least 0
     * @param trim trimmed mean's fraction per side, in [0, 0.5)
     * @param bound norm bounding's and DP-FedAvg's clip norm, positive
     * @param noise norm bounding's noise standard deviation, DP-FedAvg's noise multiplier, at least 0
     * @param seed the noise's seed
     */
    public record Settings(int perRound, int f, double trim, double bound, double noise, long seed) {

        /** Trim 0.2, bound 1, no noise, seed 0. */
        public static Settings of(int perRound, int f) {
            return new Settings(perRound, f, 0.2, 1.0, 0, 0);
        }

        public Settings trim(double t) {
            return new Settings(perRound, f, t, bound, noise, seed);
        }

        public Settings bound(double b) {
            return new Settings(perRound, f, trim, b, noise, seed);
        }

        public Settings noise(double n) {
            return new Settings(perRound, f, trim, bound, n, seed);
        }

        public Settings seed(long s) {
            return new Settings(perRound, f, trim, bound, noise, s);
        }
    }

    /**
     * The rule called {@code name} (one of {@link #NAMES}).
     *
     * @throws IllegalArgumentException for an unknown name, a round too small for the rule's
     *         {@code f} (Krum and Multi-Krum need {@code perRound > 2f + 2}, Bulyan
     *         {@code perRound >= 4f + 3}), or a setting the rule refuses; the message names it
     */
    public static Aggregator named(String name, Settings s) {
        if (s == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        if (s.perRound() < 1) {
            throw new IllegalArgumentException("perRound must be at least 1, found " + s.perRound());
        }
        if (s.f() < 0) {
            throw new IllegalArgumentException("f must not be negative, found " + s.f());
        }
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "fedavg" -> new FedAvg();
            case "median" -> new CoordinateMedian();
            case "trimmed-mean" -> new TrimmedMean(s.trim());
            case "krum", "multi-krum" -> {
                if (s.perRound() <= 2 * s.f() + 2) {
                    throw new IllegalArgumentException(n + " needs per-round > 2f + 2 = " + (2 * s.f() + 2) + " for f = "
                            + s.f() + ", found " + s.perRound());
                }
                yield new Krum(s.f(), n.equals("krum") ? 1 : s.perRound() - s.f());
            }
            case "bulyan" -> {
                if (s.perRound() < 4 * s.f() + 3) {
                    throw new IllegalArgumentException("bulyan needs per-round >= 4f + 3 = " + (4 * s.f() + 3)
                            + " for f = " + s.f() + ", found " + s.perRound());
                }
                yield new Bulyan(s.f());
            }
            case "norm-bound" -> new NormBounding(s.bound(), s.noise(), s.seed());
            case "fltrust" -> new FlTrust();
            case "dp-fedavg" -> new DpFedAvg(s.bound(), s.noise(), s.perRound(), s.seed());
            default -> throw new IllegalArgumentException("aggregator must be one of " + String.join(", ", NAMES)
                    + ", found '" + name + "'");
        };
    }
}
