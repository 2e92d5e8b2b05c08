package dev.rampart.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} option every subcommand mixes in: errors print their stack trace. */
public final class VerboseOption {

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;
}
