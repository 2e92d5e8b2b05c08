package dev.rampart.defenses.detection;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Median filter over each channel of {@code [n, channels, height, width]} images (Xu, Evans &amp;
 * Qi, NDSS 2018): each pixel becomes the median of the {@code window x window} block around it.
 * The block covers offsets {@code -window/2 .. (window-1)/2}; borders are mirrored (the edge
 * pixel repeats); for an even number of values the upper median is taken.
 *
 * <pre>{@code
 * INDArray smooth = new MedianSmoothing(2).squeeze(images);
 * }</pre>
 *
 * @param window side of the square window, 2 to 7
 */
public record MedianSmoothing(int window) implements Squeezer {

    /** Largest window accepted. */
    public static final int MAX_WINDOW = 7;

    /**
     * @throws IllegalArgumentException if {@code window} is outside {@code [2, 7]}
     */
    public MedianSmoothing {
        if (window < 2 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be in [2, " + MAX_WINDOW + "], found " + window);
        }
    }

    /**
     * @throws IllegalArgumentException if {@code x} is not a rank-4 image batch
     */
    @Override
    public INDArray squeeze(INDArray x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("median smoothing needs images [n, channels, height, width], found shape "
                    + Arrays.toString(x.shape()));
        }
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int planes = (int) (x.size(0) * x.size(1));
        float[] in = x.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        float[] out = new float[in.length];
        float[] block = new float[window * window];
        int lo = -(window / 2);
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int k = 0;
                    for (int di = lo; di < lo + window; di++) {
                        int r = mirror(i + di, h);
                        for (int dj = lo; dj < lo + window; dj++) {
                            block[k++] = in[base + r * w + mirror(j + dj, w)];
                        }
                    }
                    Arrays.sort(block);
                    out[base + i * w + j] = block[block.length / 2];
                }
            }
        }
        return Nd4j.create(out, x.shape(), 'c').castTo(x.dataType());
    }

    /** Mirrors an index into {@code [0, n)}: -1 becomes 0, n becomes n - 1. */
    private static int mirror(int i, int n) {
        if (i < 0) {
            return Math.min(-i - 1, n - 1);
        }
        return i >= n ? Math.max(2 * n - i - 1, 0) : i;
    }

    @Override
    public String name() {
        return "median-" + window + "x" + window;
    }
}
