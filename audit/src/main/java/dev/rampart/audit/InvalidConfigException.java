package dev.rampart.audit;

import java.util.List;

/**
 * A configuration with one or more invalid values, each named by its field: every problem is
 * found, not only the first, so that a tool can report them all at once (the command-line tool
 * prints each with its option's name).
 *
 * <pre>{@code
 * try {
 *     new AuditConfig(...);
 * } catch (InvalidConfigException e) {
 *     e.problems().forEach(p -> System.err.println(p.field() + " " + p.rule()));
 * }
 * }</pre>
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One invalid value.
     *
     * @param field the configuration field, as the record names it (such as {@code pgdSteps})
     * @param rule what is wrong, to follow the field's name (such as {@code must be positive, found 0})
     */
    public record Problem(String field, String rule) {
        @Override
        public String toString() {
            return field + " " + rule;
        }
    }

    private final transient List<Problem> problems;

    /** @param problems at least one */
    public InvalidConfigException(List<Problem> problems) {
        super(String.join("; ", problems.stream().map(Problem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    /** The problems, in the order the fields are declared. */
    public List<Problem> problems() {
        return problems;
    }

    /** Throws the problems of {@code found}, if there are any. */
    static void throwIfAny(List<Problem> found) {
        if (!found.isEmpty()) {
            throw new InvalidConfigException(found);
        }
    }
}
