package dev.rampart.attacks.inference;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;

/**
 * The likelihood-ratio attack (LiRA) of Carlini, Chien, Nasr, Song, Terzis &amp; Tram&egrave;r
 * ("Membership inference attacks from first principles", S&amp;P 2022). For each candidate, the
 * logit-scaled confidence {@code phi} ({@link Confidences#phi()}) of the shadow models that trained
 * on it ("in") and of those that did not ("out") are fitted with Gaussians, and the target model's
 * {@code phi} is scored:
 *
 * <ul>
 *   <li>online: the log-likelihood ratio {@code log N(phi; mu_in, s_in) - log N(phi; mu_out, s_out)},
 *       called a member above 0; needs shadows that trained on the candidates;</li>
 *   <li>offline: {@code (phi - mu_out) / s_out}, one-sided, called a member above 1.645 (the out
 *       distribution's 95th percentile); needs only "out" shadows, so the shadows can be trained
 *       before the candidates are known (mark them excluded in {@link ShadowModels#train}).</li>
 * </ul>
 * With few shadows, per-example variances are noisy; Carlini et al. use one global variance below 64
 * shadows, and so does this attack by default: the pooled variance of each model's {@code phi}
 * around its example's mean. Data augmentation queries (their multi-query variant) are not made.
 *
 * <pre>{@code
 * ShadowModels shadows = ShadowModels.train(population, trainer, 16, 1, null);
 * MembershipScores s = Lira.online().score(shadows, target, candidates);   // population indices
 * }</pre>
 */
public final class Lira {

    /** The offline decision threshold: the one-sided 5% level of the standard normal. */
    public static final double OFFLINE_THRESHOLD = 1.6448536269514722;
    private static final double MIN_STD = 1e-6;

    private final boolean online;
    private final Boolean globalVariance;

    private Lira(boolean online, Boolean globalVariance) {
        this.online = online;
        this.globalVariance = globalVariance;
    }

    /** Online LiRA (in and out shadows). */
    public static Lira online() {
        return new Lira(true, null);
    }

    /** Offline LiRA (out shadows only). */
    public static Lira offline() {
        return new Lira(false, null);
    }

    /**
     * One variance over all candidates ({@code true}) or one per candidate; by default global
     * below 64 shadows, as Carlini et al. recommend.
     */
    public Lira globalVariance(boolean global) {
        return new Lira(online, global);
    }

    /**
     * Scores population examples {@code candidates} as members of {@code target}'s training set.
     *
     * @throws IllegalArgumentException if a candidate is out of range, or has no "in" shadow
     *     (online) or no "out" shadow, or per-example variances are asked for with fewer than two
     *     shadows on a side
     */
    public MembershipScores score(ShadowModels shadows, Classifier target, int[] candidates) {
        if (shadows == null || target == null) {
            throw new IllegalArgumentException("shadows and target must not be null");
        }
        int[] idx = shadows.checkCandidates(candidates);
        boolean global = globalVariance != null ? globalVariance : shadows.count() < 64;
        LabeledData population = shadows.population();
        LabeledData rows = new LabeledData(population.name(), Rows.gather(population.features(), idx),
                Rows.pick(population.labels(), idx), population.numClasses());
        double[] phi = Confidences.of(target, rows).phi();
        int k = idx.length;
        double[][] in = new double[k][];
        double[][] out = new double[k][];
        for (int j = 0; j < k; j++) {
            in[j] = side(shadows, idx[j], true);
            out[j] = side(shadows, idx[j], false);
            if (out[j].length == 0) {
                throw new IllegalArgumentException("candidate " + idx[j] + " has no shadow model that did not train on"
                        + " it");
            }
            if (online && in[j].length == 0) {
                throw new IllegalArgumentException("candidate " + idx[j] + " has no shadow model that trained on it:"
                        + " online LiRA needs them (it was excluded from shadow training; use offline)");
            }
        }
        double sdIn = online && global ? pooledStd(in) : Double.NaN;
        double sdOut = global ? pooledStd(out) : Double.NaN;
        double[] score = new double[k];
        for (int j = 0; j < k; j++) {
            double muOut = mean(out[j]);
            double so = global ? sdOut : std(out[j], muOut, idx[j]);
            if (online) {
                double muIn = mean(in[j]);
                double si = global ? sdIn : std(in[j], muIn, idx[j]);
                score[j] = logNormal(phi[j], muIn, si) - logNormal(phi[j], muOut, so);
            } else {
                score[j] = (phi[j] - muOut) / so;
            }
        }
        return new MembershipScores(online ? "lira-online" : "lira-offline", score, rows.labels(),
                online ? 0 : OFFLINE_THRESHOLD);
    }

    private static double[] side(ShadowModels shadows, int i, boolean in) {
        double[] v = new double[shadows.count()];
        int n = 0;
        for (int s = 0; s < shadows.count(); s++) {
            if (shadows.in(s, i) == in) {
                v[n++] = shadows.answers(s).phi()[i];
            }
        }
        return java.util.Arrays.copyOf(v, n);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v, double mean, int example) {
        if (v.length < 2) {
            throw new IllegalArgumentException("per-example variances need at least 2 shadow models on each side;"
                    + " candidate " + example + " has " + v.length + " (use globalVariance(true))");
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.max(Math.sqrt(s / (v.length - 1)), MIN_STD);
    }

    /** The standard deviation of every value around its own example's mean, pooled. */
    private static double pooledStd(double[][] groups) {
        double s = 0;
        long dof = 0;
        for (double[] g : groups) {
            double m = mean(g);
            for (double x : g) {
                s += (x - m) * (x - m);
            }
            dof += g.length - 1;
        }
        return dof <= 0 ? MIN_STD : Math.max(Math.sqrt(s / dof), MIN_STD);
    }

    private static double logNormal(double x, double mu, double sd) {
        double z = (x - mu) / sd;
        return -0.5 * z * z - Math.log(sd);
    }
}
