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

    /** One line each. */
    public List<String> problems() {
        return problems;
    }
}
