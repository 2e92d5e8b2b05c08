package dev.rampart.core.norm;

import dev.rampart.core.random.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The perturbation norms of evasion attacks, with the operations every attack shares: per-example
 * norms, the steepest-ascent direction of a gradient, projection onto the epsilon ball and random
 * points in it. Operations are per example: the first dimension of every array is the batch.
 *
 * <pre>{@code
 * INDArray step = Norm.LINF.steepestAscent(gradient).muli(alpha);   // sign(g) * alpha
 * Norm.L2.projectInPlace(delta, 1.5);                               // ||delta_i||_2 <= 1.5
 * }</pre>
 */
public enum Norm {
    /** Largest absolute coordinate. */
    LINF,
    /** Euclidean norm. */
    L2;

    /** Smallest norm treated as non-zero when normalizing. */
    private static final double TINY = 1e-12;

    /** The norm of each example of {@code delta} ({@code [n, ...]}). */
    public double[] perExample(INDArray delta) {
        INDArray flat = delta.reshape(delta.size(0), -1);
        INDArray norms = this == LINF ? Transforms.abs(flat, true).max(1) : flat.norm2(1);
        return norms.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
    }

    /**
     * The unit-norm direction that increases a linear function with gradient {@code g} the most:
     * {@code sign(g)} for L-inf, {@code g / ||g||_2} for L2 (zero where {@code g} is zero).
     * Returns a new array.
     */
    public INDArray steepestAscent(INDArray g) {
        if (this == LINF) {
            return Transforms.sign(g, true);
        }
        INDArray flat = g.reshape(g.size(0), -1);
        INDArray norms = Transforms.max(flat.norm2(1), TINY, false).reshape(-1, 1);
        return flat.divColumnVector(norms).reshape(g.shape());
    }

    /**
     * {@link #steepestAscent} computed in place on {@code g}, for gradients that are temporaries;
     * returns {@code g}.
     */
    public INDArray steepestAscentInPlace(INDArray g) {
        if (this == LINF) {
            return Transforms.sign(g, false);
        }
        return g.assign(steepestAscent(g));
    }

    /**
     * Projects each example of {@code delta} onto the ball of radius {@code eps}, in place:
     * clipping to {@code [-eps, eps]} for L-inf, rescaling for L2.
     *
     * @return {@code delta}
     */
    public INDArray projectInPlace(INDArray delta, double eps) {
        if (this == LINF) {
            Transforms.min(Transforms.max(delta, -eps, false), eps, false);
            return delta;
        }
        INDArray flat = delta.reshape(delta.size(0), -1);
        INDArray norms = flat.norm2(1);
        INDArray factor = Transforms.min(Transforms.max(norms, TINY, false).rdivi(eps), 1.0, false).reshape(-1, 1);
        delta.assign(flat.mulColumnVector(factor).reshape(delta.shape()));
        return delta;
    }

    /**
     * Points drawn uniformly from the ball of radius {@code eps}, one per example.
     *
     * @param shape the batch shape {@code [n, ...]}
     * @param seed fixes the draw, the same on every backend and thread
     */
    public INDArray randomInBall(long[] shape, double eps, long seed, org.nd4j.linalg.api.buffer.DataType type) {
        SplittableRandom rnd = Seeds.random(seed);
        return inBall(shape, eps, row -> rnd, type);
    }

    /**
     * Like {@link #randomInBall(long[], double, long, org.nd4j.linalg.api.buffer.DataType)}, with
     * row {@code i} drawn from its own generator seeded by {@code rowSeeds[i]}: a row's point does
     * not depend on the other rows, so it is the same whatever batch the example is in.
     */
    public INDArray randomInBall(long[] shape, double eps, long[] rowSeeds, org.nd4j.linalg.api.buffer.DataType type) {
        if (rowSeeds.length != shape[0]) {
            throw new IllegalArgumentException("rowSeeds has " + rowSeeds.length + " seeds for " + shape[0] + " rows");
        }
        return inBall(shape, eps, row -> Seeds.random(rowSeeds[row]), type);
    }

    private INDArray inBall(long[] shape, double eps, java.util.function.IntFunction<SplittableRandom> rows,
            org.nd4j.linalg.api.buffer.DataType type) {
        long n = shape[0];
        int d = (int) (java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b) / n);
        float[] values = new float[Math.toIntExact(n * d)];
        for (int row = 0; row < n; row++) {
            SplittableRandom rnd = rows.apply(row);
            if (this == LINF) {
                for (int j = 0; j < d; j++) {
                    values[row * d + j] = (float) ((2 * rnd.nextDouble() - 1) * eps);
                }
                continue;
            }
            double sq = 0;
            for (int j = 0; j < d; j++) {
                double v = Seeds.gaussian(rnd);
                values[row * d + j] = (float) v;
                sq += v * v;
            }
            // radius eps * u^(1/d) makes the point uniform in the ball's volume
            double scale = eps * Math.pow(rnd.nextDouble(), 1.0 / d) / Math.max(Math.sqrt(sq), TINY);
            for (int j = 0; j < d; j++) {
                values[row * d + j] = (float) (values[row * d + j] * scale);
            }
        }
        return Nd4j.create(values, shape, 'c').castTo(type);
    }
}
