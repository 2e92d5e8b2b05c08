package dev.rampart.attacks.inference;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * The shadow-model membership attack of Shokri, Stronati, Song &amp; Shmatikov ("Membership inference
 * attacks against machine learning models", S&amp;P 2017): shadow models trained like the target
 * show what the answers on members and on non-members look like; an attack model per class learns
 * to tell them apart, and is then applied to the target's answers. The attack models here are
 * L2-regularized logistic regressions (fitted by Newton's method) on {@link Confidences#features()}
 * (the logit-scaled confidence and the three largest log-probabilities), rather than Shokri et al.'s
 * small neural networks: a handful of features needs no more, and the fit is deterministic. Members
 * and non-members weigh equally in the fit, so the decision at log-odds 0 assumes equal priors. A class
 * whose shadow data holds only one side falls back to the attack model of all classes.
 *
 * <pre>{@code
 * ShadowModels shadows = ShadowModels.train(population, trainer, 8, 1, null);
 * MembershipScores s = ShadowModelAttack.fit(shadows).score(target, Candidates.of(suspects));
 * }</pre>
 */
public final class ShadowModelAttack implements MembershipAttack {

    private static final double RIDGE = 1e-3;
    private static final int NEWTON_STEPS = 50;

    /**
     * The attack's configuration: how its attack models were fitted.
     *
     * @param shadowModels shadow models fitted on
     * @param ridge the L2 penalty of the logistic regressions
     * @param newtonSteps Newton steps at most per fit
     */
    public record Config(int shadowModels, double ridge, int newtonSteps) implements MembershipAttack.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.positive("shadowModels", shadowModels);
            Check.positive("ridge", ridge);
            Check.positive("newtonSteps", newtonSteps);
        }
    }

    private final Logistic all;
    private final Logistic[] perClass;
    private final Config config;

    private ShadowModelAttack(Logistic all, Logistic[] perClass, Config config) {
        this.all = all;
        this.perClass = perClass;
        this.config = config;
    }

    @Override
    public String name() {
        return "shadow-models";
    }

    @Override
    public Config config() {
        return config;
    }

    /** Fits the attack models on every shadow's answers on the whole population. */
    public static ShadowModelAttack fit(ShadowModels shadows) {
        if (shadows == null) {
            throw new IllegalArgumentException("shadows must not be null");
        }
        LabeledData population = shadows.population();
        int[] labels = population.labels();
        int classes = population.numClasses();
        int n = population.size();
        Logistic all = Logistic.fit(shadows, labels, -1);
        Logistic[] per = new Logistic[classes];
        for (int c = 0; c < classes; c++) {
            boolean[] sides = new boolean[2];
            for (int s = 0; s < shadows.count(); s++) {
                for (int i = 0; i < n; i++) {
                    if (labels[i] == c) {
                        sides[shadows.in(s, i) ? 1 : 0] = true;
                    }
                }
            }
            per[c] = sides[0] && sides[1] ? Logistic.fit(shadows, labels, c) : all;
        }
        return new ShadowModelAttack(all, per, new Config(shadows.count(), RIDGE, NEWTON_STEPS));
    }

    /**
     * Scores {@code candidates}: the attack model's log-odds of membership, called a member above
     * 0 (queries only).
     */
    @Override
    public MembershipScores score(Classifier target, Candidates candidates) {
        Check.notNull("candidates", candidates);
        LabeledData data = candidates.data();
        if (data.numClasses() != perClass.length) {
            throw new IllegalArgumentException("candidates have " + data.numClasses() + " classes but the"
                    + " shadow models had " + perClass.length);
        }
        Confidences c = Confidences.of(target, data);
        int[] y = data.labels();
        double[] s = new double[y.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = perClass[y[i]].logOdds(c.features()[i]);
        }
        return MembershipScores.of(this, s, y, 0);
    }

    /** Logistic regression on standardized features, ridge-regularized, fitted by Newton's method. */
    private record Logistic(double[] mean, double[] scale, double[] w) {

        static Logistic fit(ShadowModels shadows, int[] labels, int label) {
            int d = Confidences.FEATURES;
            int rows = 0;
            for (int s = 0; s < shadows.count(); s++) {
                for (int i = 0; i < labels.length; i++) {
                    rows += label < 0 || labels[i] == label ? 1 : 0;
                }
            }
            double[][] x = new double[rows][];
            double[] t = new double[rows];
            int r = 0;
            for (int s = 0; s < shadows.count(); s++) {
                double[][] f = shadows.answers(s).features();
                for (int i = 0; i < labels.length; i++) {
                    if (label < 0 || labels[i] == label) {
                        x[r] = f[i];
                        t[r++] = shadows.in(s, i) ? 1 : 0;
                    }
                }
            }
            double[] mean = new double[d];
            double[] scale = new double[d];
            for (double[] row : x) {
                for (int k = 0; k < d; k++) {
                    mean[k] += row[k] / rows;
                }
            }
            for (double[] row : x) {
                for (int k = 0; k < d; k++) {
                    scale[k] += (row[k] - mean[k]) * (row[k] - mean[k]) / rows;
                }
            }
            for (int k = 0; k < d; k++) {
                scale[k] = Math.sqrt(scale[k]) > 1e-12 ? Math.sqrt(scale[k]) : 1;
            }
            double inRows = 0;
            for (double v : t) {
                inRows += v;
            }
            // members and non-members weigh equally in total, whatever their counts: the decision at
            // log-odds 0 is then the one for equal priors
            double wIn = inRows == 0 ? 0 : rows / (2 * inRows);
            double wOut = inRows == rows ? 0 : rows / (2 * (rows - inRows));
            double[] w = new double[d + 1]; // bias last
            for (int step = 0; step < NEWTON_STEPS; step++) {
                double[][] h = new double[d + 1][d + 1];
                double[] g = new double[d + 1];
                for (int j = 0; j < rows; j++) {
                    double[] z = standardized(x[j], mean, scale);
                    double p = sigmoid(dot(w, z));
                    double weight = t[j] == 1 ? wIn : wOut;
                    double v = weight * Math.max(p * (1 - p), 1e-12);
                    for (int a = 0; a <= d; a++) {
                        g[a] += weight * (p - t[j]) * z[a];
                        for (int b = a; b <= d; b++) {
                            h[a][b] += v * z[a] * z[b];
                        }
                    }
                }
                for (int a = 0; a <= d; a++) {
                    g[a] += RIDGE * rows * (a < d ? w[a] : 0);
                    h[a][a] += RIDGE * rows;
                    for (int b = 0; b < a; b++) {
                        h[a][b] = h[b][a]; // exactly symmetric
                    }
                }
                RealVector delta = new CholeskyDecomposition(new Array2DRowRealMatrix(h, false)).getSolver()
                        .solve(new ArrayRealVector(g, false));
                double change = 0;
                for (int a = 0; a <= d; a++) {
                    w[a] -= delta.getEntry(a);
                    change = Math.max(change, Math.abs(delta.getEntry(a)));
                }
                if (change < 1e-9) {
                    break;
                }
            }
            return new Logistic(mean, scale, w);
        }

        double logOdds(double[] features) {
            return dot(w, standardized(features, mean, scale));
        }

        private static double[] standardized(double[] f, double[] mean, double[] scale) {
            double[] z = new double[f.length + 1];
            for (int k = 0; k < f.length; k++) {
                z[k] = (f[k] - mean[k]) / scale[k];
            }
            z[f.length] = 1;
            return z;
        }

        private static double dot(double[] w, double[] z) {
            double s = 0;
            for (int k = 0; k < w.length; k++) {
                s += w[k] * z[k];
            }
            return s;
        }

        private static double sigmoid(double a) {
            return a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a));
        }
    }
}
