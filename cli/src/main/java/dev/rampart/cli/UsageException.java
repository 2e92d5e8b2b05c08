package dev.rampart.cli;

import java.util.List;

/**
 * Problems with a command's options or files, found before any work starts: the tool prints one
 * line per problem and exits with {@link Rampart#USAGE}.
 */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public UsageException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * The problem {@code e} with the data of {@code option}, in one line; where the command has a
     * {@code --split} option ({@code hasSplit}), a folder holding only the other split says how to
     * read it.
     */
    static String dataProblem(String option, Exception e, boolean hasSplit) {
        return option + " " + e.getMessage() + (hasSplit && e instanceof dev.rampart.audit.source.DataSource
                .SplitMissingException m ? ": " + m.splitHint() : "");
    }

    /** Adds "{@code option} must be positive, found v" to {@code problems} unless {@code value > 0}. */
    static void positive(List<String> problems, String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            problems.add(option + " must be positive, found " + format(value));
        }
    }

    /**
     * DP noise: exactly one of {@code --noise-multiplier} and {@code --target-epsilon}, and the one
     * given positive.
     */
    static void noiseOrTarget(List<String> problems, Double noiseMultiplier, Double targetEpsilon) {
        if ((noiseMultiplier == null) == (targetEpsilon == null)) {
            problems.add("give exactly one of --noise-multiplier and --target-epsilon");
        }
        if (noiseMultiplier != null) {
            positive(problems, "--noise-multiplier", noiseMultiplier);
        }
        if (targetEpsilon != null) {
            positive(problems, "--target-epsilon", targetEpsilon);
        }
    }

    /** Adds "{@code option} must be in (0, 1), found v" to {@code problems} unless it is. */
    static void share(List<String> problems, String option, double value) {
        if (!(value > 0 && value < 1)) {
            problems.add(option + " must be in (0, 1), found " + value);
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** One line each. */
    public List<String> problems() {
        return problems;
    }
}
