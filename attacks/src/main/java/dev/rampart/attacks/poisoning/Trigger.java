package dev.rampart.attacks.poisoning;

import dev.rampart.core.model.InputDomain;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A backdoor trigger stamped on channels-first images ({@code [n, c, h, w]}): a patch (a pattern
 * pasted at a position, as in BadNets, Gu, Dolan-Gavitt &amp; Garg 2017) or a blend with a whole
 * image ({@code (1 - alpha) x + alpha t}, Chen, Liu, Li, Lu &amp; Song, "Targeted backdoor attacks
 * on deep learning systems using data poisoning", 2017). Stamping returns a new array.
 *
 * <pre>{@code
 * Trigger corner = Trigger.square(3, 1.0, 24, 24);               // white 3x3 square near the corner
 * Trigger pattern = Trigger.checkerboard(4, 0.0, 1.0, 23, 23);   // 4x4 checkerboard
 * Trigger blend = Trigger.blend(helloKitty, 0.1);
 * INDArray triggered = corner.stamp(images);
 * }</pre>
 */
public final class Trigger {

    private final INDArray pattern; // [c or 1, ph, pw] for a patch; [c, h, w] for a blend
    private final int row;
    private final int col;
    private final double alpha; // NaN for a patch
    private final String description;

    private Trigger(INDArray pattern, int row, int col, double alpha, String description) {
        this.pattern = pattern;
        this.row = row;
        this.col = col;
        this.alpha = alpha;
        this.description = description;
    }

    /**
     * A patch: {@code pattern} ({@code [ph, pw]} for every channel, or {@code [c, ph, pw]}) pasted
     * with its top-left corner at ({@code row}, {@code col}).
     */
    public static Trigger patch(INDArray pattern, int row, int col) {
        if (pattern == null || (pattern.rank() != 2 && pattern.rank() != 3)) {
            throw new IllegalArgumentException("pattern must be [ph, pw] or [c, ph, pw], found "
                    + (pattern == null ? "null" : Arrays.toString(pattern.shape())));
        }
        if (row < 0 || col < 0) {
            throw new IllegalArgumentException("row and col must be >= 0, found " + row + ", " + col);
        }
        dev.rampart.core.check.Check.finite(pattern, "pattern");
        INDArray p = pattern.rank() == 2 ? pattern.reshape(1, pattern.size(0), pattern.size(1)) : pattern;
        return new Trigger(p.dup(), row, col, Double.NaN, "patch " + p.size(1) + "x" + p.size(2) + " at (" + row + ", "
                + col + ")");
    }

    /** A square of side {@code size} and one {@code value} at ({@code row}, {@code col}). */
    public static Trigger square(int size, double value, int row, int col) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, found " + size);
        }
        return patch(Nd4j.valueArrayOf(new long[] {size, size}, value), row, col);
    }

    /** A checkerboard of side {@code size} alternating {@code low} and {@code high}. */
    public static Trigger checkerboard(int size, double low, double high, int row, int col) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, found " + size);
        }
        INDArray p = Nd4j.create(size, size);
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                p.putScalar(i, j, (i + j) % 2 == 0 ? high : low);
            }
        }
        return patch(p, row, col);
    }

    /** A blend with {@code image} ({@code [c, h, w]}) at weight {@code alpha} in (0, 1]. */
    public static Trigger blend(INDArray image, double alpha) {
        if (image == null || image.rank() != 3) {
            throw new IllegalArgumentException("image must be [c, h, w], found "
                    + (image == null ? "null" : Arrays.toString(image.shape())));
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], found " + alpha);
        }
        dev.rampart.core.check.Check.finite(image, "image");
        return new Trigger(image.dup(), 0, 0, alpha, "blend, alpha " + alpha);
    }

    /**
     * Checks that the trigger fits examples of {@code shape} ({@code [c, h, w]}) and lies in the
     * domain.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public void check(long[] shape, InputDomain domain) {
        if (shape.length != 3) {
            throw new IllegalArgumentException("triggers need channels-first images [c, h, w], found "
                    + Arrays.toString(shape));
        }
        boolean blend = !Double.isNaN(alpha);
        if (blend && !Arrays.equals(pattern.shape(), shape)) {
            throw new IllegalArgumentException("blend image has shape " + Arrays.toString(pattern.shape())
                    + ", the examples " + Arrays.toString(shape));
        }
        if (!blend && (pattern.size(0) != 1 && pattern.size(0) != shape[0] || row + pattern.size(1) > shape[1]
                || col + pattern.size(2) > shape[2])) {
            throw new IllegalArgumentException("trigger " + description + " of shape " + Arrays.toString(pattern.shape())
                    + " does not fit inside images of shape " + Arrays.toString(shape));
        }
        double lo = pattern.minNumber().doubleValue();
        double hi = pattern.maxNumber().doubleValue();
        if (domain != null && (lo < domain.min() || hi > domain.max() || Double.isNaN(lo + hi))) {
            throw new IllegalArgumentException("trigger values [" + lo + ", " + hi + "] are outside the input domain ["
                    + domain.min() + ", " + domain.max() + "]");
        }
    }

    /** {@code x} ({@code [n, c, h, w]}) with the trigger stamped on every example, as a new array. */
    public INDArray stamp(INDArray x) {
        if (x == null || x.rank() < 2) {
            throw new IllegalArgumentException("x must be a batch [n, c, h, w], found "
                    + (x == null ? "null" : Arrays.toString(x.shape())));
        }
        dev.rampart.core.check.Check.finite(x, "x");
        long[] shape = Arrays.copyOfRange(x.shape(), 1, x.rank());
        check(shape, null);
        INDArray out = x.dup('c');
        INDArray p = pattern.castTo(x.dataType());
        if (!Double.isNaN(alpha)) {
            long d = out.length() / x.size(0);
            out.reshape(x.size(0), d).muli(1 - alpha).addiRowVector(p.reshape(1, d).mul(alpha));
            return out;
        }
        INDArray patch = p.size(0) == shape[0] ? p : p.repeat(0, shape[0]);
        INDArrayIndex[] at = {NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.interval(row, row + p.size(1)), NDArrayIndex.interval(col, col + p.size(2))};
        out.get(at).assign(Nd4j.expandDims(patch, 0).broadcast(x.size(0), shape[0], p.size(1), p.size(2)));
        return out;
    }

    @Override
    public String toString() {
        return description;
    }
}
