package dev.rampart.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Option values that are enum constants, spelled on the command line in lower case with dashes
 * ({@code fast-fgsm} for {@code FAST_FGSM}): picocli converts them, and a value that is none of
 * them is refused with the spellings it could have been.
 *
 * <pre>{@code
 * commandLine.registerConverter(Method.class, OptionEnums.converter(Method.class));
 * }</pre>
 */
final class OptionEnums {

    private OptionEnums() {
    }

    /** The option spelling of {@code e}: {@code FAST_FGSM} as {@code fast-fgsm}. */
    static String spelling(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A converter that takes the option spellings (and the constants' names, in any case). */
    static <E extends Enum<E>> CommandLine.ITypeConverter<E> converter(Class<E> type) {
        return s -> {
            String key = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(key)) {
                    return e;
                }
            }
            throw new CommandLine.TypeConversionException("expected one of " + Arrays.stream(type.getEnumConstants())
                    .map(OptionEnums::spelling).toList() + " but was '" + s + "'");
        };
    }
}
