package dev.rampart.attacks.federated;

import java.util.List;
import java.util.Locale;

/**
 * The byzantine update attacks by name, for tools and benchmark programs that take the attack as
 * text. A spec is a name, optionally followed by {@code :strength}:
 * <ul>
 *   <li>{@code sign-flip[:scale]}: {@link SignFlipping}, scale 1 by default;</li>
 *   <li>{@code gaussian[:sigma]}: {@link GaussianUpdates}, sigma 1 by default;</li>
 *   <li>{@code alie[:z]}: {@link ALittleIsEnough}, the paper's z from the round's numbers by default;</li>
 *   <li>{@code ipm[:epsilon]}: {@link InnerProductManipulation}, epsilon 0.5 by default.</li>
 * </ul>
 *
 * <pre>{@code
 * ByzantineUpdates alie = ByzantineAttacks.parse("alie:1.0");      // a fixed z = 1
 * ByzantineUpdates flip = ByzantineAttacks.parse("sign-flip:10");  // ten times the honest mean, reversed
 * }</pre>
 */
public final class ByzantineAttacks {

    /** Every name {@link #parse} takes. */
    public static final List<String> NAMES = List.of("sign-flip", "gaussian", "alie", "ipm");

    private ByzantineAttacks() {
    }

    /**
     * The attack a spec names.
     *
     * @throws IllegalArgumentException for an unknown name, or a strength that is not a number or
     *         that the attack refuses; the message names the spec
     */
    public static ByzantineUpdates parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("attack spec must not be empty, found '" + spec + "'");
        }
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("attack must be one of " + String.join(", ", NAMES)
                    + " (optionally name:strength), found '" + spec + "'");
        }
        double strength = Double.NaN;
        if (colon >= 0) {
            String text = spec.substring(colon + 1).trim();
            try {
                strength = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("attack '" + spec + "': the strength after ':' must be a number,"
                        + " found '" + text + "'");
            }
            if (!(strength > 0) || !Double.isFinite(strength)) {
                throw new IllegalArgumentException("attack '" + spec + "': the strength must be positive and finite,"
                        + " found " + text);
            }
        }
        boolean given = colon >= 0;
        return switch (name) {
            case "sign-flip" -> new SignFlipping(given ? strength : 1);
            case "gaussian" -> new GaussianUpdates(given ? strength : 1);
            case "alie" -> given ? new ALittleIsEnough(strength) : new ALittleIsEnough();
            default -> new InnerProductManipulation(given ? strength : 0.5);
        };
    }
}
