package dev.rampart.defenses.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.ForwardingClassifier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A prediction API's output hardening against model extraction: a {@link Classifier} that wraps
 * the victim and releases altered probabilities. The victim is not changed. The released label
 * ({@link #predictClasses}) is the top of the released probabilities, ties resolved towards the
 * victim's own top-1, so a defense that {@link #keepsTopLabel() keeps the top label} costs no
 * accuracy at all.
 *
 * <p>Every defense's settings are a {@link Config} record, which also builds the defense around
 * a victim ({@link Config#wrap}). A victim that releases a negative or non-finite probability is
 * refused with {@link IllegalStateException}, never passed on.
 *
 * <pre>{@code
 * Classifier api = new ReverseSigmoid(victim, 1.0, 0.1);
 * api.predictProbabilities(x);   // what clients see
 * OutputDefense same = new ReverseSigmoid.Config(1.0, 0.1).wrap(victim);
 * }</pre>
 */
public abstract sealed class OutputDefense extends ForwardingClassifier
        permits TopLabelOnly, RoundedProbabilities, ConfidenceCutoff, GaussianNoise, ReverseSigmoid {

    /** A defense's settings, valid by construction. */
    public sealed interface Config permits TopLabelOnly.Config, RoundedProbabilities.Config, ConfidenceCutoff.Config,
            GaussianNoise.Config, ReverseSigmoid.Config {
        /**
         * The defense with these settings in front of {@code victim}.
         *
         * @throws IllegalArgumentException if {@code victim} is null
         */
        OutputDefense wrap(Classifier victim);
    }

    OutputDefense(Classifier victim) {
        super(Check.notNull("victim", victim));
    }

    /** The defense's settings. */
    public abstract Config config();

    /** The released probabilities for one row {@code p} of the victim's (a fresh array). */
    protected abstract double[] release(double[] p, long row);

    /** Whether the top released class is always the victim's top-1. */
    public abstract boolean keepsTopLabel();

    /** The wrapped model. */
    public Classifier victim() {
        return inner;
    }

    @Override
    public INDArray predictProbabilities(INDArray x) {
        return Nd4j.createFromArray(compute(x).released()).castTo(DataType.FLOAT);
    }

    @Override
    public int[] predictClasses(INDArray x) {
        Answer a = compute(x);
        int[] out = new int[a.released().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = top(a.released()[i], a.victimTop()[i]);
        }
        return out;
    }

    private record Answer(double[][] released, int[] victimTop) {
    }

    private Answer compute(INDArray x) {
        double[][] p = inner.predictProbabilities(x).castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < p.length; i++) {
            for (int k = 0; k < p[i].length; k++) {
                if (!(p[i][k] >= 0) || !Double.isFinite(p[i][k])) {
                    throw new IllegalStateException("the victim gave " + p[i][k] + " as probability " + k + " of row "
                            + i + " of a batch: " + this + " releases nothing for it");
                }
            }
        }
        long first = nextRow(p.length);
        double[][] r = new double[p.length][];
        int[] tops = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            tops[i] = top(p[i], -1);
            r[i] = release(p[i].clone(), first + i);
        }
        return new Answer(r, tops);
    }

    /** Reserves row numbers for a batch of {@code n} (noise defenses derive their draws from them). */
    protected long nextRow(int n) {
        return 0;
    }

    /** The index of the largest value; among equal largest values, {@code prefer} if it is one of them. */
    static int top(double[] v, int prefer) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (v[k] > v[best]) {
                best = k;
            }
        }
        return prefer >= 0 && v[prefer] == v[best] ? prefer : best;
    }

    /** Divides by the sum; a row that sums to 0 becomes one-hot at {@code fallback}. */
    static double[] normalize(double[] v, int fallback) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        if (!(s > 0)) {
            java.util.Arrays.fill(v, 0);
            v[fallback] = 1;
            return v;
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= s;
        }
        return v;
    }
}
