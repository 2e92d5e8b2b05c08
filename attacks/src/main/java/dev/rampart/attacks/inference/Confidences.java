package dev.rampart.attacks.inference;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What a membership attack reads from a model's answers on labelled examples, from the
 * probabilities alone (the attacks are query-only), computed in double precision without the
 * cancellation of {@code 1 - p}:
 *
 * <ul>
 *   <li>{@link #loss()}: cross-entropy {@code -log p_y}, as {@code log1p(r / p_y)} with {@code r} the
 *       summed probability of the other classes, so that it does not round to 0 when {@code p_y}
 *       rounds to 1;</li>
 *   <li>{@link #phi()}: the logit-scaled confidence {@code log p_y - log r} of Carlini et al. (LiRA,
 *       2022), whose distribution over models is close to Gaussian;</li>
 *   <li>{@link #features()}: {@code phi}, then the log of the three largest probabilities, the
 *       attack model input of the shadow-model attack.</li>
 * </ul>
 * Probabilities below {@value #FLOOR} count as {@value #FLOOR}, the smallest positive float.
 *
 * <pre>{@code
 * Confidences c = Confidences.of(target, candidates);
 * double[] loss = c.loss();
 * }</pre>
 *
 * @param loss per example
 * @param phi per example
 * @param features per example, {@value #FEATURES} values
 */
public record Confidences(double[] loss, double[] phi, double[][] features) implements java.io.Serializable {

    /** Probabilities below this count as this (the smallest positive float). */
    public static final double FLOOR = 1.4e-45;
    /** Number of attack features per example. */
    public static final int FEATURES = 4;
    private static final int BATCH = 512;

    /**
     * The model's answers on {@code data}, queried in batches of {@value #BATCH}.
     *
     * @throws IllegalArgumentException if the data does not fit the model, or the model answers
     *     NaN or a negative probability
     */
    public static Confidences of(Classifier model, LabeledData data) {
        if (model == null || data == null) {
            throw new IllegalArgumentException("model and data must not be null");
        }
        if (data.numClasses() != model.numClasses()) {
            throw new IllegalArgumentException("data has " + data.numClasses() + " classes but the model has "
                    + model.numClasses());
        }
        int n = data.size();
        int[] y = data.labels();
        double[] loss = new double[n];
        double[] phi = new double[n];
        double[][] features = new double[n][];
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            INDArray x = data.features().get(NDArrayIndex.interval(from, to));
            double[][] p = model.predictProbabilities(x).castTo(DataType.DOUBLE).toDoubleMatrix();
            for (int i = from; i < to; i++) {
                fill(p[i - from], y[i], i, loss, phi, features);
            }
        }
        return new Confidences(loss, phi, features);
    }

    private static void fill(double[] p, int y, int i, double[] loss, double[] phi, double[][] features) {
        double others = 0;
        double total = 0;
        for (int j = 0; j < p.length; j++) {
            if (!(p[j] >= 0)) {
                throw new IllegalArgumentException("the model answered probability " + p[j] + " for class " + j
                        + " of example " + i);
            }
            total += p[j];
            others += j == y ? 0 : p[j];
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("the model's probabilities for example " + i + " sum to " + total);
        }
        double py = Math.max(p[y], FLOOR);
        double r = Math.max(others, FLOOR);
        loss[i] = Math.log1p(others / py);
        phi[i] = Math.log(py) - Math.log(r);
        double[] sorted = p.clone();
        java.util.Arrays.sort(sorted);
        double[] f = new double[FEATURES];
        f[0] = phi[i];
        for (int k = 1; k < FEATURES; k++) {
            int at = sorted.length - k;
            f[k] = Math.log(Math.max(at >= 0 ? sorted[at] / total : 0, FLOOR));
        }
        features[i] = f;
    }

    /** Number of examples. */
    public int size() {
        return loss.length;
    }
}
