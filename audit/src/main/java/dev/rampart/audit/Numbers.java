package dev.rampart.audit;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Number formats shared by the audit's reports: budgets as written on a command line, shares as
 * percentages, values rounded for JSON without float noise.
 *
 * <pre>{@code
 * Numbers.epsilon(8.0 / 255);   // "0.031372549"
 * Numbers.percent(0.753);       // "75.3%"
 * }</pre>
 */
public final class Numbers {

    private Numbers() {
    }

    /** A budget as written on the command line: 0.05, 0.1, 8/255 as 0.031372549. */
    public static String epsilon(double eps) {
        return new BigDecimal(Double.toString(eps)).round(new MathContext(8)).stripTrailingZeros().toPlainString();
    }

    /** A share as a percentage with one decimal ({@code -} for NaN). */
    public static String percent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** A value rounded to {@code digits} decimals, for JSON without float noise. */
    public static double round(double v, int digits) {
        if (!Double.isFinite(v)) {
            return v;
        }
        return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
    }
}
