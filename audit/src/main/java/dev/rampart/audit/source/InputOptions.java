package dev.rampart.audit.source;

import dev.rampart.audit.InvalidConfigException;
import dev.rampart.core.model.InputDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        double[] std) implements java.io.Serializable {

    /** Images as they are, in [0, 1], channels first. */
    public static final InputOptions DEFAULT = new InputOptions(null, false, InputDomain.UNIT, null, null);

    /** @throws InvalidConfigException naming every field whose value does not fit */
    public InputOptions {
        List<InvalidConfigException.Problem> p = new ArrayList<>();
        if (domain == null) {
            p.add(new InvalidConfigException.Problem("domain", "must not be null"));
        }
        if ((mean == null) != (std == null)) {
            p.add(new InvalidConfigException.Problem(mean == null ? "std" : "mean", "goes with " + (mean == null ? "mean"
                    : "std") + ": give both or neither"));
        } else if (mean != null) {
            if (mean.length != std.length || mean.length == 0) {
                p.add(new InvalidConfigException.Problem("mean", "and std need one value per channel each, found "
                        + mean.length + " and " + std.length));
            }
            for (double v : std) {
                if (!(v > 0) || !Double.isFinite(v)) {
                    p.add(new InvalidConfigException.Problem("std", "values must be positive and finite, found " + v));
                }
            }
            for (double v : mean) {
                if (!Double.isFinite(v)) {
                    p.add(new InvalidConfigException.Problem("mean", "values must be finite, found " + v));
                }
            }
        }
        if (inputShape != null) {
            String shape = Arrays.toString(inputShape);
            if (inputShape.length == 0 || inputShape.length > 4) {
                p.add(new InvalidConfigException.Problem("inputShape", "takes 1 to 4 dimensions, found "
                        + inputShape.length));
            } else {
                long values = 1; // each factor is at most 2^31 and so is values before it: no overflow
                for (long d : inputShape) {
                    if (d <= 0 || d > Integer.MAX_VALUE) {
                        p.add(new InvalidConfigException.Problem("inputShape", "dimensions must be positive (at most "
                                + Integer.MAX_VALUE + "), found " + shape));
                        break;
                    }
                    values *= d;
                    if (values > Integer.MAX_VALUE) {
                        p.add(new InvalidConfigException.Problem("inputShape", shape + " has more values per example"
                                + " than an array row holds (" + Integer.MAX_VALUE + ")"));
                        break;
                    }
                }
            }
            inputShape = inputShape.clone();
        }
        if (!p.isEmpty()) {
            throw new InvalidConfigException(p);
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
