package dev.rampart.benchmarks.models;

import dev.rampart.core.model.InputDomain;

/**
 * How the tool feeds data to a model: the input shape (else the data's), channels first or last,
 * the pixel domain, and optional per-channel standardization in front of the model.
 *
 * @param inputShape the shape of one example, or {@code null} for the data's own
 * @param channelsLast whether the model takes {@code [n, h, w, c]} (Keras' {@code channels_last})
 *     instead of {@code [n, c, h, w]}
 * @param domain the range of the pixels attacks work in
 * @param mean per-channel means the model was trained to subtract, or {@code null}
 * @param std per-channel standard deviations it was trained to divide by, or {@code null}
 */
public record InputOptions(long[] inputShape, boolean channelsLast, InputDomain domain, double[] mean,
        double[] std) {

    /** Images as they are, in [0, 1], channels first. */
    public static final InputOptions DEFAULT = new InputOptions(null, false, InputDomain.UNIT, null, null);

    /** @throws IllegalArgumentException naming the option, if the values do not fit together */
    public InputOptions {
        if (domain == null) {
            throw new IllegalArgumentException("--domain must not be empty");
        }
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("--mean and --std go together: give both or neither");
        }
        if (mean != null) {
            if (mean.length != std.length || mean.length == 0) {
                throw new IllegalArgumentException("--mean and --std need one value per channel each, found "
                        + mean.length + " and " + std.length);
            }
            for (int c = 0; c < std.length; c++) {
                if (!(std[c] > 0) || !Double.isFinite(std[c])) {
                    throw new IllegalArgumentException("--std values must be positive, found " + std[c]);
                }
                if (!Double.isFinite(mean[c])) {
                    throw new IllegalArgumentException("--mean values must be finite, found " + mean[c]);
                }
            }
        }
        if (inputShape != null) {
            if (inputShape.length == 0 || inputShape.length > 4) {
                throw new IllegalArgumentException("--input-shape takes 1 to 4 dimensions, found "
                        + inputShape.length);
            }
            long values = 1;
            for (long d : inputShape) {
                if (d <= 0 || d > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("--input-shape dimensions must be positive (at most "
                            + Integer.MAX_VALUE + "), found " + java.util.Arrays.toString(inputShape));
                }
                values = dev.rampart.core.check.Check.multiply("--input-shape " + java.util.Arrays.toString(inputShape)
                        + " (values per example)", values, d);
            }
            if (values > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--input-shape " + java.util.Arrays.toString(inputShape) + " has "
                        + values + " values per example, more than an array row holds (" + Integer.MAX_VALUE + ")");
            }
            inputShape = inputShape.clone();
        }
        mean = mean == null ? null : mean.clone();
        std = std == null ? null : std.clone();
    }

    @Override
    public long[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    /** Whether inputs are standardized before the model. */
    public boolean standardized() {
        return mean != null;
    }
}
