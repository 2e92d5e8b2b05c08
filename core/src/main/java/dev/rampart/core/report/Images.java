package dev.rampart.core.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One example of a channels-first image model as a picture: grey for one channel, RGB for three,
 * values mapped linearly from {@code [lo, hi]} to {@code [0, 255]} (clipped).
 *
 * <pre>{@code
 * Images.writePng(x.getRow(0), model.domain().min(), model.domain().max(), Path.of("class-3.png"));
 * }</pre>
 */
public final class Images {

    private Images() {
    }

    /**
     * A {@code [c, h, w]} (or {@code [h, w]}) image given as its values in row-major order.
     *
     * @throws IllegalArgumentException if the shape is not an image or does not match the values
     */
    public static BufferedImage toImage(float[] v, long[] shape, double lo, double hi) {
        if (shape.length < 2 || shape.length > 3 || (shape.length == 3 && shape[0] != 1 && shape[0] != 3)) {
            throw new IllegalArgumentException("an image needs shape [h, w], [1, h, w] or [3, h, w], found "
                    + java.util.Arrays.toString(shape));
        }
        if (!(hi > lo)) {
            throw new IllegalArgumentException("hi must be above lo, found [" + lo + ", " + hi + "]");
        }
        int c = shape.length == 3 ? (int) shape[0] : 1;
        int ht = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        if ((long) c * ht * w != v.length) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs " + (long) c * ht * w
                    + " values, found " + v.length);
        }
        BufferedImage out = new BufferedImage(w, ht, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < ht; y++) {
            for (int x = 0; x < w; x++) {
                int r = level(v[y * w + x], lo, hi);
                int g = c == 3 ? level(v[(ht + y) * w + x], lo, hi) : r;
                int b = c == 3 ? level(v[(2 * ht + y) * w + x], lo, hi) : r;
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    /** Writes one example ({@code [c, h, w]} or {@code [1, c, h, w]}) as a PNG file. */
    public static void writePng(INDArray example, double lo, double hi, Path file) throws IOException {
        long[] shape = example.shape();
        if (shape.length == 4 && shape[0] == 1) {
            shape = java.util.Arrays.copyOfRange(shape, 1, 4);
        }
        BufferedImage image = toImage(example.castTo(DataType.FLOAT).dup('c').data().asFloat(), shape, lo, hi);
        dev.rampart.core.io.AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    private static int level(float v, double lo, double hi) {
        return (int) Math.round(255 * Math.max(0, Math.min(1, (v - lo) / (hi - lo))));
    }
}
