package dev.rampart.core.loss;

import dev.rampart.core.data.Rows;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The standard {@link LogitObjective}s. Each is computed per example on the {@code [n, classes]}
 * logits, in double precision, and returned in the logits' data type.
 *
 * <ul>
 *   <li>{@link #crossEntropy}: softmax cross-entropy, {@code logsumexp(z) - z_y}.</li>
 *   <li>{@link #dlr} and {@link #targetedDlr}: the difference-of-logits ratio of Croce &amp; Hein
 *       (ICML 2020), invariant to shifting and rescaling the logits.</li>
 *   <li>{@link #margin} and {@link #targetedMargin}: the margin of Carlini &amp; Wagner (IEEE S&amp;P
 *       2017), {@code max(z_y - max_{i != y} z_i, -kappa)}, zero gradient once the margin passes
 *       {@code -kappa}.</li>
 *   <li>{@link #klDivergence}: {@code KL(p || softmax(z))} for fixed distributions {@code p}, the
 *       robust term of TRADES (Zhang et al., ICML 2019).</li>
 *   <li>{@link #linear}: {@code sum_k w_k z_k}, for example a difference of two logits
 *       (DeepFool).</li>
 * </ul>
 *
 * <p>Attacks ascend the cross-entropy, DLR and KL objectives and descend the margins.
 *
 * <pre>{@code
 * LogitGradient g = model.logitGradient(x, LogitObjectives.margin(labels, 0.0));
 * }</pre>
 */
public final class LogitObjectives {

    /** Added to DLR's denominator, as in Croce &amp; Hein (2020). */
    public static final double DLR_EPS = 1e-12;

    private LogitObjectives() {
    }

    /** Softmax cross-entropy with the given labels. */
    public static LogitObjective crossEntropy(int[] labels) {
        int[] y = labels.clone();
        return z -> apply(z, y.length, (row, c, g) -> {
            double[] p = softmax(row);
            int k = label(y, c, row.length, "labels");
            for (int j = 0; j < row.length; j++) {
                g[j] = p[j] - (j == k ? 1 : 0);
            }
            return logSumExp(row) - row[k];
        });
    }

    /**
     * Cross-entropy {@code -sum_k t_k log softmax(z)_k} with a label matrix {@code t}
     * ({@code [n, classes]}: one-hot rows, or any non-negative weights).
     */
    public static LogitObjective softCrossEntropy(INDArray targets) {
        double[][] t = targets.toDoubleMatrix();
        return z -> apply(z, t.length, (row, c, g) -> {
            width(t[c], row.length, "targets");
            double lse = logSumExp(row);
            double total = 0;
            double v = 0;
            for (int j = 0; j < row.length; j++) {
                total += t[c][j];
                v -= t[c][j] * (row[j] - lse);
            }
            double[] p = softmax(row);
            for (int j = 0; j < row.length; j++) {
                g[j] = p[j] * total - t[c][j];
            }
            return v;
        });
    }

    /**
     * Untargeted DLR: {@code -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)}, {@code pi} sorting
     * the logits in decreasing order. Needs at least 3 classes.
     */
    public static LogitObjective dlr(int[] labels) {
        int[] y = labels.clone();
        return z -> apply(z, y.length, (row, c, g) -> {
            requireClasses(row.length, 3, "dlr");
            int k = label(y, c, row.length, "labels");
            int[] order = descending(row);
            int j = best(row, k);
            double a = row[k] - row[j];
            double d = row[order[0]] - row[order[2]] + DLR_EPS;
            g[k] -= 1 / d;
            g[j] += 1 / d;
            g[order[0]] += a / (d * d);
            g[order[2]] -= a / (d * d);
            return -a / d;
        });
    }

    /**
     * Targeted DLR: {@code -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)}. Needs at least 4
     * classes.
     */
    public static LogitObjective targetedDlr(int[] labels, int[] targets) {
        int[] y = labels.clone();
        int[] t = targets.clone();
        checkSameLength(y, t);
        return z -> apply(z, y.length, (row, c, g) -> {
            requireClasses(row.length, 4, "targetedDlr");
            int k = label(y, c, row.length, "labels");
            int target = label(t, c, row.length, "targets");
            int[] order = descending(row);
            double a = row[k] - row[target];
            double d = row[order[0]] - 0.5 * (row[order[2]] + row[order[3]]) + DLR_EPS;
            g[k] -= 1 / d;
            g[target] += 1 / d;
            double s = a / (d * d);
            g[order[0]] += s;
            g[order[2]] -= 0.5 * s;
            g[order[3]] -= 0.5 * s;
            return -a / d;
        });
    }

    /**
     * Untargeted C&amp;W margin {@code max(z_y - max_{i != y} z_i, -kappa)}: negative once the
     * example is misclassified, floored at {@code -kappa}.
     */
    public static LogitObjective margin(int[] labels, double kappa) {
        int[] y = labels.clone();
        checkKappa(kappa);
        return z -> apply(z, y.length, (row, c, g) -> {
            int k = label(y, c, row.length, "labels");
            int j = best(row, k);
            double m = row[k] - row[j];
            if (m <= -kappa) {
                return -kappa;
            }
            g[k] = 1;
            g[j] = -1;
            return m;
        });
    }

    /** Targeted C&amp;W margin {@code max(max_{i != t} z_i - z_t, -kappa)}. */
    public static LogitObjective targetedMargin(int[] targets, double kappa) {
        int[] t = targets.clone();
        checkKappa(kappa);
        return z -> apply(z, t.length, (row, c, g) -> {
            int k = label(t, c, row.length, "targets");
            int j = best(row, k);
            double m = row[j] - row[k];
            if (m <= -kappa) {
                return -kappa;
            }
            g[j] = 1;
            g[k] = -1;
            return m;
        });
    }

    /**
     * {@code objective}, defined on a batch of {@code n} examples, restricted to the examples
     * {@code rows} of it (ascending): the logits it is given are those rows' logits, in order. Attacks
     * use it when some examples have left the loop.
     */
    public static LogitObjective restrict(LogitObjective objective, int[] rows, int n) {
        if (rows.length == n) {
            return objective;
        }
        return z -> {
            INDArray full = Nd4j.zeros(z.dataType(), n, z.size(1));
            Rows.scatter(full, rows, z);
            LogitObjective.Value v = objective.evaluate(full);
            return new LogitObjective.Value(Rows.gather(v.value().reshape(n, 1), rows).reshape(-1),
                    Rows.gather(v.gradient(), rows));
        };
    }

    /**
     * {@code KL(p || softmax(z))} per example, {@code p} a fixed {@code [n, classes]} matrix of
     * probabilities (for example the model's prediction on the clean input).
     */
    public static LogitObjective klDivergence(INDArray p) {
        double[][] target = p.toDoubleMatrix();
        return z -> apply(z, target.length, (row, c, g) -> {
            width(target[c], row.length, "p");
            double lse = logSumExp(row);
            double[] q = softmax(row);
            double kl = 0;
            for (int j = 0; j < row.length; j++) {
                double pj = target[c][j];
                if (pj > 0) {
                    kl += pj * (Math.log(pj) - (row[j] - lse));
                }
                g[j] = q[j] - pj;
            }
            return kl;
        });
    }

    /** {@code sum_k w[i][k] z[i][k]} per example {@code i}; its gradient is {@code w}. */
    public static LogitObjective linear(INDArray weights) {
        double[][] w = weights.toDoubleMatrix();
        return z -> apply(z, w.length, (row, c, g) -> {
            width(w[c], row.length, "weights");
            double v = 0;
            for (int j = 0; j < row.length; j++) {
                g[j] = w[c][j];
                v += w[c][j] * row[j];
            }
            return v;
        });
    }

    /** The index of the largest logit other than {@code excluded}. */
    public static int best(double[] row, int excluded) {
        int j = -1;
        for (int i = 0; i < row.length; i++) {
            if (i != excluded && (j < 0 || row[i] > row[j])) {
                j = i;
            }
        }
        return j;
    }

    /** Softmax of one row, computed stably. */
    public static double[] softmax(double[] row) {
        double lse = logSumExp(row);
        double[] p = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            p[j] = Math.exp(row[j] - lse);
        }
        return p;
    }

    static double logSumExp(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : row) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    /** Indices of {@code row} sorted by decreasing value (ties by index). */
    public static int[] descending(double[] row) {
        return java.util.stream.IntStream.range(0, row.length).boxed()
                .sorted((a, b) -> row[a] != row[b] ? Double.compare(row[b], row[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }

    /** One example's value, filling its gradient row {@code g} (zeroed on entry). */
    private interface RowObjective {
        double apply(double[] row, int example, double[] g);
    }

    private static LogitObjective.Value apply(INDArray logits, int expected, RowObjective f) {
        if (logits.rank() != 2 || logits.size(0) != expected) {
            throw new IllegalArgumentException("logits must have shape [" + expected + ", classes] to match the "
                    + "objective's " + expected + " examples, found " + java.util.Arrays.toString(logits.shape()));
        }
        double[][] z = logits.toDoubleMatrix();
        int classes = (int) logits.size(1);
        double[] value = new double[z.length];
        double[][] grad = new double[z.length][classes];
        for (int i = 0; i < z.length; i++) {
            value[i] = f.apply(z[i], i, grad[i]);
        }
        return new LogitObjective.Value(Nd4j.createFromArray(value).castTo(logits.dataType()),
                Nd4j.createFromArray(grad).castTo(logits.dataType()));
    }

    private static int label(int[] labels, int i, int classes, String name) {
        if (labels[i] < 0 || labels[i] >= classes) {
            throw new IllegalArgumentException(name + "[" + i + "] = " + labels[i] + " is not a class in [0, "
                    + classes + ")");
        }
        return labels[i];
    }

    private static void width(double[] row, int classes, String name) {
        if (row.length != classes) {
            throw new IllegalArgumentException(name + " has " + row.length + " columns but the model has " + classes
                    + " classes");
        }
    }

    private static void requireClasses(int classes, int needed, String name) {
        if (classes < needed) {
            throw new IllegalArgumentException(name + " needs at least " + needed + " classes, the model has "
                    + classes);
        }
    }

    private static void checkKappa(double kappa) {
        if (!(kappa >= 0) || !Double.isFinite(kappa)) {
            throw new IllegalArgumentException("kappa must be finite and >= 0, found " + kappa);
        }
    }

    private static void checkSameLength(int[] labels, int[] targets) {
        if (labels.length != targets.length) {
            throw new IllegalArgumentException("targets has " + targets.length + " entries but labels has "
                    + labels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == targets[i]) {
                throw new IllegalArgumentException("targets[" + i + "] equals labels[" + i + "] = " + labels[i]);
            }
        }
    }
}
