package dev.rampart.benchmarks.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Options of a command-line program: {@code --name value} pairs and value-less {@code --flag}s.
 * Unknown options, a missing value and unparsable numbers are rejected with an
 * {@link IllegalArgumentException} that names the option and what it found.
 *
 * <pre>{@code
 * Options o = Options.parse(args, Set.of("--epochs", "--out"), Set.of("--checkpoints"));
 * int epochs = o.integer("--epochs", 12);
 * boolean each = o.flag("--checkpoints");
 * }</pre>
 */
public final class Options {

    private final Map<String, String> values;
    private final Set<String> flags;

    private Options(Map<String, String> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    /**
     * @param valued options that take a value
     * @param flags options that take none
     */
    public static Options parse(String[] args, Set<String> valued, Set<String> flags) {
        Map<String, String> values = new HashMap<>();
        Set<String> set = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (flags.contains(opt)) {
                set.add(opt);
            } else if (valued.contains(opt)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + opt + " needs a value");
                }
                values.put(opt, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + opt);
            }
        }
        return new Options(values, set);
    }

    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : integer(name, v);
    }

    public long longInteger(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs an integer, found '" + v + "'");
        }
    }

    public double number(String name, double fallback) {
        String v = values.get(name);
        return v == null ? fallback : number(name, v);
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    /** Parses {@code v} as the integer value of option {@code name}. */
    public static int integer(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs an integer, found '" + v + "'");
        }
    }

    /** Parses {@code v} as the numeric value of option {@code name}. */
    public static double number(String name, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, found '" + v + "'");
        }
    }
}
