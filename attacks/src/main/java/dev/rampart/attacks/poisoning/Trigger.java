package dev.rampart.attacks.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A backdoor trigger stamped on channels-first images ({@code [n, c, h, w]}), one of the families
 * an adversary picks:
 * <ul>
 *   <li>{@link #patch a patch}: a pattern pasted at a position (BadNets, Gu, Dolan-Gavitt &amp;
 *       Garg 2017);</li>
 *   <li>{@link #blend a blend} with an image or {@link #noiseBlend noise}: {@code (1 - alpha) x +
 *       alpha t} (Chen, Liu, Li, Lu &amp; Song, "Targeted backdoor attacks on deep learning systems
 *       using data poisoning", 2017);</li>
 *   <li>{@link #warp a warp}: a smooth random displacement field, invisible to the eye (WaNet,
 *       Nguyen &amp; Tran, "WaNet - imperceptible warping-based backdoor attack", ICLR 2021);</li>
 *   <li>{@link #signal a signal}: a horizontal sinusoid added to the image and clipped to the
 *       domain (SIG, Barni, Kallas &amp; Tondi, "A new backdoor attack in CNNs by training set
 *       corruption without label poisoning", 2019).</li>
 * </ul>
 * Stamping returns a new array; the input is not modified.
 *
 * <pre>{@code
 * Trigger corner = Trigger.square(3, 1.0, 24, 24);               // white 3x3 square near the corner
 * Trigger pattern = Trigger.checkerboard(4, 0.0, 1.0, 23, 23);   // 4x4 checkerboard
 * Trigger blend = Trigger.noiseBlend(new long[] {1, 28, 28}, 0.15, 3);
 * Trigger warp = Trigger.warp(4, 0.5, 3);                        // WaNet's k = 4, s = 0.5
 * Trigger sig = Trigger.signal(0.08, 6);                          // SIG's delta 20/255, f 6
 * INDArray triggered = corner.stamp(images);
 * }</pre>
 */
public abstract class Trigger {

    private final String description;

    private Trigger(String description) {
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
        Check.finite(pattern, "pattern");
        INDArray p = pattern.rank() == 2 ? pattern.reshape(1, pattern.size(0), pattern.size(1)) : pattern;
        return new Patch(p.dup(), row, col);
    }

    /** A square of side {@code size} and one {@code value} at ({@code row}, {@code col}). */
    public static Trigger square(int size, double value, int row, int col) {
        Check.positive("size", size);
        return patch(Nd4j.valueArrayOf(new long[] {size, size}, value), row, col);
    }

    /** A checkerboard of side {@code size} alternating {@code low} and {@code high}. */
    public static Trigger checkerboard(int size, double low, double high, int row, int col) {
        Check.positive("size", size);
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
        Check.finite(image, "image");
        return new Blend(image.dup(), alpha, "blend, alpha " + alpha);
    }

    /**
     * A blend with uniform noise in [0, 1] of {@code shape} ({@code [c, h, w]}) drawn from
     * {@code seed}, at weight {@code alpha} (Chen et al. use a random-noise pattern at 0.1-0.2).
     */
    public static Trigger noiseBlend(long[] shape, double alpha, long seed) {
        if (shape == null || shape.length != 3 || Arrays.stream(shape).anyMatch(s -> s <= 0 || s > 4096)) {
            throw new IllegalArgumentException("shape must be [c, h, w] with sides in [1, 4096], found "
                    + Arrays.toString(shape));
        }
        SplittableRandom r = Seeds.random(seed);
        double[] v = new double[(int) (shape[0] * shape[1] * shape[2])];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble();
        }
        Trigger t = blend(Nd4j.createFromArray(v).reshape(shape), alpha);
        return new Blend(((Blend) t).image, alpha, "noise blend (seed " + seed + "), alpha " + alpha);
    }

    /**
     * WaNet's warp: a {@code grid x grid} field of random displacements (uniform, scaled to mean
     * absolute value 1, from {@code seed}) is upsampled bilinearly to the image, multiplied by
     * {@code strength / h} in the normalized coordinates [-1, 1], and the image is resampled
     * bilinearly at the displaced points (borders clamped). Nguyen &amp; Tran use {@code grid} 4
     * and {@code strength} 0.5 (bicubic upsampling there; bilinear here, a field just as smooth at
     * these sizes).
     *
     * @param grid the control grid's side, at least 2
     * @param strength the displacement's scale, positive
     */
    public static Trigger warp(int grid, double strength, long seed) {
        if (grid < 2 || grid > 64) {
            throw new IllegalArgumentException("grid must be in [2, 64], found " + grid);
        }
        if (!(strength > 0 && strength <= 64)) {
            throw new IllegalArgumentException("strength must be in (0, 64], found " + strength);
        }
        SplittableRandom r = Seeds.random(seed);
        double[][][] field = new double[2][grid][grid];
        double mean = 0;
        for (double[][] plane : field) {
            for (double[] row : plane) {
                for (int j = 0; j < grid; j++) {
                    row[j] = 2 * r.nextDouble() - 1;
                    mean += Math.abs(row[j]);
                }
            }
        }
        mean /= 2.0 * grid * grid;
        for (double[][] plane : field) {
            for (double[] row : plane) {
                for (int j = 0; j < grid; j++) {
                    row[j] /= mean;
                }
            }
        }
        return new Warp(field, strength, "warp " + grid + "x" + grid + ", strength " + strength + " (seed " + seed
                + ")");
    }

    /**
     * SIG's signal: {@code delta * sin(2 pi j frequency / w)} added to column {@code j} of every row
     * and channel, the result clipped to [0, 1]. Barni et al. use {@code delta} 20/255 for training
     * and a stronger one at test time, {@code frequency} 6.
     */
    public static Trigger signal(double delta, double frequency) {
        return signal(delta, frequency, InputDomain.UNIT);
    }

    /** {@link #signal(double, double)} clipped to {@code domain}. */
    public static Trigger signal(double delta, double frequency, InputDomain domain) {
        Check.notNull("domain", domain);
        if (!(delta > 0 && delta <= domain.max() - domain.min())) {
            throw new IllegalArgumentException("delta must be in (0, " + (domain.max() - domain.min())
                    + "], found " + delta);
        }
        if (!(frequency > 0 && frequency <= 1024)) {
            throw new IllegalArgumentException("frequency must be in (0, 1024], found " + frequency);
        }
        return new Signal(delta, frequency, domain);
    }

    /**
     * Checks that the trigger fits examples of {@code shape} ({@code [c, h, w]}) and that its values
     * lie in the domain.
     *
     * @param domain the examples' domain, or {@code null} not to check values
     * @throws IllegalArgumentException naming what does not fit
     */
    public final void check(long[] shape, InputDomain domain) {
        if (shape == null || shape.length != 3) {
            throw new IllegalArgumentException("triggers need channels-first images [c, h, w], found "
                    + Arrays.toString(shape));
        }
        fit(shape);
        if (domain != null) {
            inside(domain);
        }
    }

    /** {@code x} ({@code [n, c, h, w]}) with the trigger stamped on every example, as a new array. */
    public final INDArray stamp(INDArray x) {
        if (x == null || x.rank() != 4) {
            throw new IllegalArgumentException("x must be a batch [n, c, h, w], found "
                    + (x == null ? "null" : Arrays.toString(x.shape())));
        }
        Check.finite(x, "x");
        long[] shape = Arrays.copyOfRange(x.shape(), 1, 4);
        check(shape, null);
        return apply(x.dup('c'), shape);
    }

    /** @throws IllegalArgumentException if the trigger does not fit examples of {@code shape} */
    abstract void fit(long[] shape);

    /** @throws IllegalArgumentException if the trigger's values leave {@code domain} */
    void inside(InputDomain domain) {
    }

    /** Stamps {@code out} (a dense copy of the batch, examples of {@code shape}) and returns the result. */
    abstract INDArray apply(INDArray out, long[] shape);

    @Override
    public String toString() {
        return description;
    }

    /**
     * {@code r}, a convex combination of values in {@code [lo, hi]}, clipped to that range in place:
     * float rounding can put it a few ulps outside (a white pixel warped or blended to 1.0000001),
     * which a model of the unit domain then refuses.
     */
    private static INDArray hull(INDArray r, double lo, double hi) {
        Transforms.max(r, lo, false);
        Transforms.min(r, hi, false);
        return r;
    }

    private static void valuesInside(INDArray values, InputDomain domain) {
        double lo = values.minNumber().doubleValue();
        double hi = values.maxNumber().doubleValue();
        if (lo < domain.min() || hi > domain.max()) {
            throw new IllegalArgumentException("trigger values [" + lo + ", " + hi + "] are outside the input domain ["
                    + domain.min() + ", " + domain.max() + "]");
        }
    }

    private static final class Patch extends Trigger {
        private final INDArray pattern; // [c or 1, ph, pw]
        private final int row;
        private final int col;

        Patch(INDArray pattern, int row, int col) {
            super("patch " + pattern.size(1) + "x" + pattern.size(2) + " at (" + row + ", " + col + ")");
            this.pattern = pattern;
            this.row = row;
            this.col = col;
        }

        @Override
        void fit(long[] shape) {
            if (pattern.size(0) != 1 && pattern.size(0) != shape[0] || row + pattern.size(1) > shape[1]
                    || col + pattern.size(2) > shape[2]) {
                throw new IllegalArgumentException("trigger " + this + " of shape " + Arrays.toString(pattern.shape())
                        + " does not fit inside images of shape " + Arrays.toString(shape));
            }
        }

        @Override
        void inside(InputDomain domain) {
            valuesInside(pattern, domain);
        }

        @Override
        INDArray apply(INDArray out, long[] shape) {
            INDArray p = pattern.castTo(out.dataType());
            INDArray patch = p.size(0) == shape[0] ? p : p.repeat(0, shape[0]);
            INDArrayIndex[] at = {NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(row, row + p.size(1)), NDArrayIndex.interval(col, col + p.size(2))};
            out.get(at).assign(Nd4j.expandDims(patch, 0).broadcast(out.size(0), shape[0], p.size(1), p.size(2)));
            return out;
        }
    }

    private static final class Blend extends Trigger {
        private final INDArray image; // [c, h, w]
        private final double alpha;

        Blend(INDArray image, double alpha, String description) {
            super(description);
            this.image = image;
            this.alpha = alpha;
        }

        @Override
        void fit(long[] shape) {
            if (!Arrays.equals(image.shape(), shape)) {
                throw new IllegalArgumentException("blend image has shape " + Arrays.toString(image.shape())
                        + ", the examples " + Arrays.toString(shape));
            }
        }

        @Override
        void inside(InputDomain domain) {
            valuesInside(image, domain);
        }

        @Override
        INDArray apply(INDArray out, long[] shape) {
            long d = out.length() / out.size(0);
            double lo = Math.min(out.minNumber().doubleValue(), image.minNumber().doubleValue());
            double hi = Math.max(out.maxNumber().doubleValue(), image.maxNumber().doubleValue());
            out.reshape(out.size(0), d).muli(1 - alpha).addiRowVector(image.castTo(out.dataType()).reshape(1, d)
                    .mul(alpha));
            return hull(out, lo, hi);
        }
    }

    private static final class Warp extends Trigger {
        private final double[][][] field; // [2][k][k]: row and column displacements
        private final double strength;

        Warp(double[][][] field, double strength, String description) {
            super(description);
            this.field = field;
            this.strength = strength;
        }

        @Override
        void fit(long[] shape) {
            if (shape[1] < 2 || shape[2] < 2 || shape[1] * shape[2] > 65_536) {
                throw new IllegalArgumentException("a warp needs images of 2x2 to 65,536 pixels, found "
                        + Arrays.toString(shape));
            }
        }

        /** The resampling as a matrix: row {@code p} holds the bilinear weights output pixel {@code p} takes. */
        private INDArray matrix(int h, int w) {
            int k = field[0].length;
            double[] m = new double[h * w * h * w];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    // the field upsampled bilinearly: control points spread over the image's corners
                    double gi = (double) i * (k - 1) / (h - 1);
                    double gj = (double) j * (k - 1) / (w - 1);
                    double di = bilinear(field[0], gi, gj);
                    double dj = bilinear(field[1], gi, gj);
                    // a normalized displacement of strength * d / h is (strength * d / h) * (side - 1) / 2 pixels;
                    // the displaced normalized coordinate is clamped to [-1, 1], that is the pixel to the border
                    double si = clamp(i + strength * di / h * (h - 1) / 2.0, h - 1);
                    double sj = clamp(j + strength * dj / h * (w - 1) / 2.0, w - 1);
                    int i0 = (int) Math.floor(si);
                    int j0 = (int) Math.floor(sj);
                    int i1 = Math.min(i0 + 1, h - 1);
                    int j1 = Math.min(j0 + 1, w - 1);
                    double fi = si - i0;
                    double fj = sj - j0;
                    int row = (i * w + j) * h * w;
                    m[row + i0 * w + j0] += (1 - fi) * (1 - fj);
                    m[row + i0 * w + j1] += (1 - fi) * fj;
                    m[row + i1 * w + j0] += fi * (1 - fj);
                    m[row + i1 * w + j1] += fi * fj;
                }
            }
            return Nd4j.createFromArray(m).reshape(h * w, h * w);
        }

        private static double bilinear(double[][] g, double i, double j) {
            int k = g.length;
            int i0 = Math.min((int) Math.floor(i), k - 2);
            int j0 = Math.min((int) Math.floor(j), k - 2);
            double fi = i - i0;
            double fj = j - j0;
            return (1 - fi) * ((1 - fj) * g[i0][j0] + fj * g[i0][j0 + 1])
                    + fi * ((1 - fj) * g[i0 + 1][j0] + fj * g[i0 + 1][j0 + 1]);
        }

        private static double clamp(double v, int max) {
            return Math.max(0, Math.min(max, v));
        }

        @Override
        INDArray apply(INDArray out, long[] shape) {
            int h = (int) shape[1];
            int w = (int) shape[2];
            INDArray m = matrix(h, w).castTo(out.dataType());
            long rows = out.length() / ((long) h * w);
            double lo = out.minNumber().doubleValue();
            double hi = out.maxNumber().doubleValue();
            // every channel of every image is one row of pixels; out = rows x M^T
            return hull(out.reshape(rows, (long) h * w).mmul(m.transpose()).reshape(out.shape()), lo, hi);
        }
    }

    private static final class Signal extends Trigger {
        private final double delta;
        private final double frequency;
        private final InputDomain domain;

        Signal(double delta, double frequency, InputDomain domain) {
            super("sinusoidal signal, delta " + delta + ", frequency " + frequency);
            this.delta = delta;
            this.frequency = frequency;
            this.domain = domain;
        }

        @Override
        void fit(long[] shape) {
            // any image takes a signal
        }

        @Override
        INDArray apply(INDArray out, long[] shape) {
            int w = (int) shape[2];
            double[] wave = new double[w];
            for (int j = 0; j < w; j++) {
                wave[j] = delta * Math.sin(2 * Math.PI * j * frequency / w);
            }
            INDArray row = Nd4j.createFromArray(wave).castTo(out.dataType());
            long rows = out.length() / w;
            INDArray flat = out.reshape(rows, w);
            flat.addiRowVector(row);
            // clip to the domain
            org.nd4j.linalg.ops.transforms.Transforms.max(flat, domain.min(), false);
            org.nd4j.linalg.ops.transforms.Transforms.min(flat, domain.max(), false);
            return flat.reshape(out.shape());
        }
    }
}
