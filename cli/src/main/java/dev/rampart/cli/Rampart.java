package dev.rampart.cli;

import dev.rampart.core.io.IoErrors;
import dev.rampart.core.report.Provenance;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Rampart's command-line tool, {@code ./rampart} at the top of the repository: {@code audit}
 * scores models' robustness, {@code train} trains reference models with or without adversarial
 * training. Exit codes: {@value #OK} success, {@value #GATE_FAILED} a quality gate failed,
 * {@value #USAGE} a bad option, file or model (one line per problem), {@value #INTERNAL} an
 * unexpected error ({@code --verbose} prints its stack trace).
 *
 * <pre>
 * ./rampart audit --models robust --attacks pgd,autoattack --require "pgd@0.1>=0.70" --html audit.html
 * ./rampart --version
 * </pre>
 */
@Command(name = "rampart", mixinStandardHelpOptions = true, versionProvider = Rampart.Version.class,
        description = "Adversarial robustness for Deeplearning4j models.",
        subcommands = {AuditCommand.class, TrainCommand.class, PrivacyCommand.class, IntegrityCommands.Keygen.class,
            IntegrityCommands.Sign.class, IntegrityCommands.Verify.class, IntegrityCommands.Manifest.class,
            PoisonCommand.class, ScanCommand.class, SanitizeCommand.class, VetCommand.class,
            CertifyCommand.class, FederateCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 a quality gate or an integrity check failed, 2 a bad option, file,"
            + " key or model, 3 an unexpected error."})
public final class Rampart implements Runnable {

    /** Success. */
    public static final int OK = 0;
    /** A quality gate failed. */
    public static final int GATE_FAILED = 1;
    /** A bad option, file or model. */
    public static final int USAGE = 2;
    /** An unexpected error. */
    public static final int INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool with {@code args}, writing to the given streams; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cmd = new CommandLine(new Rampart());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.registerConverter(dev.rampart.audit.AuditConfig.AttackKind.class,
                OptionEnums.converter(dev.rampart.audit.AuditConfig.AttackKind.class));
        cmd.registerConverter(TrainCommand.Method.class, OptionEnums.converter(TrainCommand.Method.class));
        cmd.registerConverter(ScanCommand.Method.class, OptionEnums.converter(ScanCommand.Method.class));
        cmd.registerConverter(SanitizeCommand.Method.class, OptionEnums.converter(SanitizeCommand.Method.class));
        cmd.registerConverter(PoisonCommand.Attack.class, OptionEnums.converter(PoisonCommand.Attack.class));
        cmd.registerConverter(dev.rampart.defenses.poisoning.TrustedUnion.Combination.class,
                OptionEnums.converter(dev.rampart.defenses.poisoning.TrustedUnion.Combination.class));
        cmd.registerConverter(PoisonCommand.Patch.class, OptionEnums.converter(PoisonCommand.Patch.class));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            err.println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            err.println("hint: " + c.getCommandSpec().qualifiedName() + " --help lists the options");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            String name = c.getCommandSpec().qualifiedName();
            if (ex instanceof UsageException u) {
                for (String p : u.problems()) {
                    err.println(name + ": " + p);
                }
                err.println("hint: " + name + " --help lists the options");
                return USAGE;
            }
            if (ex instanceof dev.rampart.defenses.integrity.IntegrityException) {
                err.println(name + ": REFUSED " + ex.getMessage());
                return GATE_FAILED;
            }
            if (ex instanceof IOException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.UncheckedIOException) {
                String hint = ex instanceof dev.rampart.audit.source.DataSource.SplitMissingException m
                        && c.getCommandSpec().findOption("--split") != null
                        ? ": " + m.splitHint() : "";
                err.println(name + ": " + describe(ex) + hint);
                if (verbose(c)) {
                    ex.printStackTrace(err);
                }
                return USAGE;
            }
            err.println(name + ": internal error: " + ex.getClass().getName() + ": " + describe(ex));
            if (verbose(c)) {
                ex.printStackTrace(err);
            } else {
                err.println("(run with --verbose for the stack trace)");
            }
            return INTERNAL;
        });
        return cmd.execute(args);
    }

    /**
     * One line for a problem: the exception's message, or for a file-system exception (whose
     * message is only the path) the path and the reason, never {@code null}.
     */
    static String describe(Throwable ex) {
        Throwable t = ex instanceof java.io.UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (t instanceof java.nio.file.FileSystemException fs) {
            String other = fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile();
            return fs.getFile() + other + ": " + IoErrors.reason(fs);
        }
        return IoErrors.reason(t);
    }

    private static boolean verbose(CommandLine c) {
        return c.getMixins().values().stream().anyMatch(m -> m instanceof VerboseOption v && v.verbose);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Rampart, ND4J, Java and the backend. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Provenance p = Provenance.current();
            return new String[] {"Rampart " + p.rampartVersion(), "ND4J " + p.nd4jVersion() + ", backend " + p.backend()
                    + ", " + p.threads() + " threads", "Java " + p.javaVersion() + " (" + System.getProperty("java.vendor")
                    + ")"};
        }
    }
}
