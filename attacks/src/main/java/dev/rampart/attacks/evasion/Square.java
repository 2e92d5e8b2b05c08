package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import dev.rampart.core.memory.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Square attack (Andriushchenko, Croce, Flammarion &amp; Hein, "Square Attack: a
 * query-efficient black-box adversarial attack via random search", ECCV 2020): random search
 * with square-shaped updates, using only the model's output probabilities. No gradient is
 * needed, so it runs on any {@link Classifier}, including a
 * {@link dev.rampart.core.model.BlackBoxModel}, and it is not fooled by masked gradients.
 *
 * <p>The loss is the margin of log-probabilities {@code log p_y - max_{i != y} log p_i}
 * (targeted: {@code max_{i != t} log p_i - log p_t}), equal to the logit margin for a softmax
 * output; a candidate is kept when it lowers it, and an example stops once its goal is met. The
 * square's area is a share {@code p} of the image, halved after 10, 50, 200, 500, 1000, 2000,
 * 4000, 6000 and 8000 of 10,000 queries (rescaled to the budget).
 * <ul>
 *   <li>L-inf: starts from vertical stripes of {@code +-epsilon}; each update sets a square, per
 *       channel, to {@code +-epsilon} around the clean input.</li>
 *   <li>L2: starts from a grid of centred bumps with random signs scaled to norm epsilon; each
 *       update moves the perturbation mass of two squares into the first, adding a new bump of
 *       random sign, so the norm stays at most epsilon.</li>
 * </ul>
 * Inputs are images {@code [c, h, w]} (rank-2 shapes are one channel, rank-1 shapes one row).
 *
 * <pre>{@code
 * Classifier remote = BlackBoxModel.of(...);   // probabilities only
 * EvasionResult r = Square.builder(remote).epsilon(0.1).queries(5000).build().run(x, labels);
 * }</pre>
 */
public final class Square extends EvasionTemplate<Square.Config> {

    /** Query counts (of 10,000) after which {@code p} is halved. */
    private static final int[] HALVINGS = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};

    /**
     * Square's configuration.
     *
     * @param norm L-inf or L2
     * @param epsilon the budget
     * @param queries model queries per example at most, the initial one included
     * @param initialSquareShare {@code p}: the first square's share of the image area, in (0, 1]
     * @param batchSize examples queried together
     * @param seed fixes the random search
     */
    public record Config(Norm norm, double epsilon, int queries, double initialSquareShare, int batchSize, long seed)
            implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, false);
            Check.positive("queries", queries);
            if (!(initialSquareShare > 0 && initialSquareShare <= 1)) {
                throw new IllegalArgumentException("initialSquareShare must be in (0, 1], found " + initialSquareShare);
            }
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, queries, initialSquareShare, batchSize, seed);
        }
    }

    private final Classifier model;
    private final int channels;
    private final int height;
    private final int width;

    private Square(Classifier model, Config config) {
        super(model, config);
        this.model = model.unchecked(); // run checks the input once; queries stay in the domain
        long[] s = model.inputShape();
        this.channels = s.length >= 3 ? (int) s[s.length - 3] : 1;
        this.height = s.length >= 2 ? (int) s[s.length - 2] : 1;
        this.width = (int) s[s.length - 1];
        if (s.length > 3) {
            throw new IllegalArgumentException("Square needs image inputs [c, h, w], found shape " + Arrays.toString(s));
        }
    }

    /** A builder with defaults L-inf, epsilon 0.1, 5,000 queries, {@code p = 0.8}. */
    public static Builder builder(Classifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new Builder(model);
    }

    @Override
    public String name() {
        return "Square-" + config().queries();
    }


    @Override
    public Square withEpsilon(double epsilon) {
        return new Square(model, config().withEpsilon(epsilon));
    }

    /** The square's share of the area after {@code i} queries. */
    double share(int i) {
        double scaled = (double) i * 10_000 / config().queries();
        double p = config().initialSquareShare();
        for (int h : HALVINGS) {
            if (scaled > h) {
                p /= 2;
            }
        }
        return p;
    }

    @Override
    protected INDArray perturb(Batch batch) {
        int n = batch.size();
        int d = channels * height * width;
        SplittableRandom[] rnd = new SplittableRandom[n]; // one stream per example: batch-independent
        for (int i = 0; i < n; i++) {
            rnd[i] = Seeds.random(batch.exampleSeed(i));
        }
        INDArray x = batch.x();
        float[][] clean = rows(x);
        InputDomain domain = model.domain();
        float[][] delta = new float[n][d];
        for (int i = 0; i < n; i++) {
            delta[i] = config().norm() == Norm.LINF ? stripes(rnd[i]) : bumpGrid(rnd[i]);
        }
        float[][] current = apply(clean, delta, domain);
        double[] loss = margins(current, batch, Rows.all(n));
        batch.countGradientCalls(n);
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            done[i] = loss[i] < 0;
        }
        for (int q = 1; q < config().queries(); q++) {
            try (MemoryWorkspace ws = Workspaces.loop()) { // the search state is in Java arrays
                int[] active = Rows.where(done, false);
                if (active.length == 0) {
                    break;
                }
                int side = side(share(q));
                float[][] candidates = new float[active.length][];
                float[][] candidateDelta = new float[active.length][];
                for (int j = 0; j < active.length; j++) {
                    int i = active[j];
                    candidateDelta[j] = config().norm() == Norm.LINF ? linfUpdate(delta[i], clean[i], side, rnd[i], domain)
                            : l2Update(delta[i], side, rnd[i]);
                    candidates[j] = apply(clean[i], candidateDelta[j], domain);
                }
                double[] candidateLoss = margins(candidates, batch, active);
                batch.countGradientCalls(active.length);
                for (int j = 0; j < active.length; j++) {
                    int i = active[j];
                    if (candidateLoss[j] < loss[i]) {
                        loss[i] = candidateLoss[j];
                        delta[i] = candidateDelta[j];
                        current[i] = candidates[j];
                        done[i] = loss[i] < 0;
                    }
                }
            }
        }
        return Nd4j.createFromArray(current).castTo(x.dataType()).reshape(x.shape());
    }

    /** Side of a square covering a share {@code p} of the image, in [1, min(h, w) - 1] when possible. */
    private int side(double p) {
        int s = (int) Math.round(Math.sqrt(p * height * width));
        int limit = Math.max(1, Math.min(height, width) - 1);
        return Math.max(1, Math.min(s, limit));
    }

    /** L-inf start: each column of each channel is +-epsilon. */
    private float[] stripes(SplittableRandom rnd) {
        float eps = (float) epsilon();
        float[] out = new float[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int col = 0; col < width; col++) {
                float v = rnd.nextBoolean() ? eps : -eps;
                for (int r = 0; r < height; r++) {
                    out[(c * height + r) * width + col] = v;
                }
            }
        }
        return out;
    }

    /** L-inf update: one square, per channel, set to +-epsilon (redrawn until it changes the point). */
    private float[] linfUpdate(float[] delta, float[] clean, int s, SplittableRandom rnd, InputDomain domain) {
        float eps = (float) epsilon();
        float[] out = delta.clone();
        int r0 = rnd.nextInt(height - s + 1);
        int c0 = rnd.nextInt(width - s + 1);
        for (int attempt = 0; attempt < 10; attempt++) {
            boolean changed = false;
            for (int c = 0; c < channels; c++) {
                float v = rnd.nextBoolean() ? eps : -eps;
                for (int r = r0; r < r0 + s; r++) {
                    for (int col = c0; col < c0 + s; col++) {
                        int k = (c * height + r) * width + col;
                        float before = clamp(clean[k] + delta[k], domain);
                        out[k] = v;
                        changed |= clamp(clean[k] + v, domain) != before;
                    }
                }
            }
            if (changed) {
                break;
            }
        }
        return out;
    }

    /** L2 start: a grid of bumps with random signs, scaled to norm epsilon. */
    private float[] bumpGrid(SplittableRandom rnd) {
        float[] out = new float[channels * height * width];
        int s = Math.max(1, Math.min(height, width) / 5);
        for (int r0 = 0; r0 < height; r0 += s) {
            for (int c0 = 0; c0 < width; c0 += s) {
                int sh = Math.min(s, height - r0);
                int sw = Math.min(s, width - c0);
                double[][] bump = bump(sh, sw);
                for (int c = 0; c < channels; c++) {
                    double sign = rnd.nextBoolean() ? 1 : -1;
                    for (int r = 0; r < sh; r++) {
                        for (int col = 0; col < sw; col++) {
                            out[(c * height + r0 + r) * width + c0 + col] = (float) (sign * bump[r][col]);
                        }
                    }
                }
            }
        }
        return scaleTo(out, epsilon());
    }

    /**
     * L2 update: squares W1 and W2; the mass of both, plus any unused budget, goes to W1 as its
     * old values plus a new bump of random sign per channel, rescaled; W2 is emptied.
     */
    private float[] l2Update(float[] delta, int s, SplittableRandom rnd) {
        float[] out = delta.clone();
        int r1 = rnd.nextInt(height - s + 1);
        int c1 = rnd.nextInt(width - s + 1);
        int r2 = rnd.nextInt(height - s + 1);
        int c2 = rnd.nextInt(width - s + 1);
        double total = sq(delta);
        double unused = Math.max(0, epsilon() * epsilon() - total);
        double[][] bump = bump(s, s);
        for (int c = 0; c < channels; c++) {
            double mass = unused / channels;
            for (int r = 0; r < s; r++) {
                for (int col = 0; col < s; col++) {
                    int k1 = (c * height + r1 + r) * width + c1 + col;
                    mass += delta[k1] * delta[k1];
                    int r2k = r2 + r;
                    int c2k = c2 + col;
                    boolean inW1 = r2k >= r1 && r2k < r1 + s && c2k >= c1 && c2k < c1 + s;
                    if (!inW1) {
                        int k2 = (c * height + r2k) * width + c2k;
                        mass += delta[k2] * delta[k2];
                        out[k2] = 0;
                    }
                }
            }
            double sign = rnd.nextBoolean() ? 1 : -1;
            double[] window = new double[s * s];
            double wsq = 0;
            for (int r = 0; r < s; r++) {
                for (int col = 0; col < s; col++) {
                    int k1 = (c * height + r1 + r) * width + c1 + col;
                    double v = delta[k1] + sign * bump[r][col] * Math.sqrt(Math.max(mass, 1e-12));
                    window[r * s + col] = v;
                    wsq += v * v;
                }
            }
            double scale = wsq > 0 ? Math.sqrt(mass / wsq) : 0;
            for (int r = 0; r < s; r++) {
                for (int col = 0; col < s; col++) {
                    out[(c * height + r1 + r) * width + c1 + col] = (float) (window[r * s + col] * scale);
                }
            }
        }
        double norm = Math.sqrt(sq(out));
        return norm > epsilon() ? scaleTo(out, epsilon()) : out;
    }

    /**
     * A centred bump of unit L2 norm: the sum of nested centred rectangles weighted
     * {@code 1 / (k + 1)^2} from the outermost in, so values grow towards the centre.
     */
    static double[][] bump(int h, int w) {
        double[][] out = new double[h][w];
        int rings = (Math.max(h, w) + 1) / 2;
        double norm = 0;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int ring = Math.min(Math.min(r, h - 1 - r), Math.min(c, w - 1 - c)); // 0 = outermost
                double v = 0;
                for (int k = 0; k <= ring && k < rings; k++) {
                    double m = rings - k;
                    v += 1 / (m * m);
                }
                out[r][c] = v;
                norm += v * v;
            }
        }
        double scale = 1 / Math.sqrt(norm);
        for (double[] row : out) {
            for (int c = 0; c < w; c++) {
                row[c] *= scale;
            }
        }
        return out;
    }

    private static double sq(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return s;
    }

    private static float[] scaleTo(float[] v, double norm) {
        double n = Math.sqrt(sq(v));
        if (n > 0) {
            float f = (float) (norm / n);
            for (int i = 0; i < v.length; i++) {
                v[i] *= f;
            }
        }
        return v;
    }

    private static float clamp(float v, InputDomain d) {
        return Math.min((float) d.upper(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                Math.max((float) d.lower(org.nd4j.linalg.api.buffer.DataType.FLOAT), v));
    }

    private static float[] apply(float[] clean, float[] delta, InputDomain d) {
        float[] out = new float[clean.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = clamp(clean[k] + delta[k], d);
        }
        return out;
    }

    private static float[][] apply(float[][] clean, float[][] delta, InputDomain d) {
        float[][] out = new float[clean.length][];
        for (int i = 0; i < clean.length; i++) {
            out[i] = apply(clean[i], delta[i], d);
        }
        return out;
    }

    private static float[][] rows(INDArray x) {
        return x.reshape(x.size(0), -1).castTo(DataType.FLOAT).toFloatMatrix();
    }

    /** The margin loss of {@code points} (examples {@code idx} of the batch); negative once the goal is met. */
    private double[] margins(float[][] points, Batch batch, int[] idx) {
        long[] shape = batch.x().shape().clone();
        shape[0] = points.length;
        INDArray xs = Nd4j.createFromArray(points).castTo(batch.x().dataType()).reshape(shape);
        double[][] p = model.predictProbabilities(xs).castTo(DataType.DOUBLE).toDoubleMatrix();
        AttackGoal goal = batch.goal();
        double[] out = new double[points.length];
        for (int j = 0; j < points.length; j++) {
            int i = idx[j];
            double[] logp = new double[p[j].length];
            for (int k = 0; k < logp.length; k++) {
                logp[k] = Math.log(Math.max(p[j][k], 1e-30));
            }
            int cls = goal.isTargeted() ? goal.targets()[i] : goal.label(i);
            int other = dev.rampart.core.loss.LogitObjectives.best(logp, cls);
            out[j] = goal.isTargeted() ? logp[other] - logp[cls] : logp[cls] - logp[other];
        }
        return out;
    }

    /** Builds a {@link Square}; every value is checked in {@link #build()}. */
    public static final class Builder extends EvasionTemplate.Builder<Builder> {
        private final Classifier model;
        private int queries = 5000;
        private double initialSquareShare = 0.8;

        private Builder(Classifier model) {
            this.model = model;
        }

        /** Model queries per example at most (default 5,000). */
        public Builder queries(int queries) {
            this.queries = queries;
            return this;
        }

        /** The first square's share {@code p} of the image area (default 0.8). */
        public Builder initialSquareShare(double p) {
            this.initialSquareShare = p;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public Square build() {
            return new Square(model, new Config(norm, epsilon, queries, initialSquareShare, batchSize, seed));
        }
    }
}
