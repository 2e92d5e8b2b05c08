package dev.rampart.attacks.inference;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.StatUtils;

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
 * MembershipScores s = Lira.online(shadows).score(target, Candidates.of(shadows, candidates));
 * }</pre>
 */
public final class Lira implements MembershipAttack {

    /** The offline decision threshold: the one-sided 5% level of the standard normal. */
    public static final double OFFLINE_THRESHOLD = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(
            0.95);
    private static final double MIN_STD = 1e-6;
    /** Below this many shadow models, one variance serves every candidate (Carlini et al.). */
    public static final int GLOBAL_VARIANCE_BELOW = 64;

    /** Which shadows the ratio compares. */
    public enum Mode {
        /** In and out shadows: the log-likelihood ratio. */
        ONLINE,
        /** Out shadows only: the one-sided test against the out distribution. */
        OFFLINE
    }

    /** How the Gaussians' variances are estimated. */
    public enum Variance {
        /** One variance over all candidates below {@value #GLOBAL_VARIANCE_BELOW} shadows, per candidate above. */
        AUTO,
        /** One variance over all candidates. */
        GLOBAL,
        /** One per candidate (needs at least two shadows on each side). */
        PER_EXAMPLE
    }

    /**
     * LiRA's configuration.
     *
     * @param mode online or offline
     * @param variance how variances are estimated
     * @param shadowModels the shadow models it compares with
     */
    public record Config(Mode mode, Variance variance, int shadowModels) implements MembershipAttack.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("mode", mode);
            Check.notNull("variance", variance);
            Check.positive("shadowModels", shadowModels);
        }
    }

    private final ShadowModels shadows;
    private final Config config;

    private Lira(ShadowModels shadows, Config config) {
        this.shadows = shadows;
        this.config = config;
    }

    /** Online LiRA (in and out shadows) on {@code shadows}. */
    public static Lira online(ShadowModels shadows) {
        Check.notNull("shadows", shadows);
        return new Lira(shadows, new Config(Mode.ONLINE, Variance.AUTO, shadows.count()));
    }

    /** Offline LiRA (out shadows only) on {@code shadows}. */
    public static Lira offline(ShadowModels shadows) {
        Check.notNull("shadows", shadows);
        return new Lira(shadows, new Config(Mode.OFFLINE, Variance.AUTO, shadows.count()));
    }

    /** This attack with variances estimated by {@code variance}. */
    public Lira variance(Variance variance) {
        return new Lira(shadows, new Config(config.mode(), variance, config.shadowModels()));
    }

    @Override
    public String name() {
        return config.mode() == Mode.ONLINE ? "lira-online" : "lira-offline";
    }

    @Override
    public Config config() {
        return config;
    }

    /**
     * Scores population examples as members of {@code target}'s training set.
     *
     * @param candidates examples of the shadows' population ({@link Candidates#of(ShadowModels, int...)})
     * @throws IllegalArgumentException if the candidates are not of the shadows' population, or one
     *     has no "in" shadow (online) or no "out" shadow, or per-example variances are asked for with
     *     fewer than two shadows on a side
     */
    @Override
    public MembershipScores score(Classifier target, Candidates candidates) {
        Check.notNull("target", target);
        Check.notNull("candidates", candidates);
        int[] idx = candidates.indicesIn(shadows).orElseThrow(() -> new IllegalArgumentException("LiRA scores"
                + " examples of its shadow models' population: give Candidates.of(shadows, indices)"));
        boolean online = config.mode() == Mode.ONLINE;
        boolean global = config.variance() == Variance.GLOBAL
                || (config.variance() == Variance.AUTO && shadows.count() < GLOBAL_VARIANCE_BELOW);
        LabeledData rows = candidates.data();
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
        double sdIn = online && global ? pooledStd(in) : 0;
        double sdOut = global ? pooledStd(out) : 0;
        double[] score = new double[k];
        for (int j = 0; j < k; j++) {
            double muOut = StatUtils.mean(out[j]);
            double so = global ? sdOut : std(out[j], idx[j]);
            if (online) {
                double muIn = StatUtils.mean(in[j]);
                double si = global ? sdIn : std(in[j], idx[j]);
                score[j] = logNormal(phi[j], muIn, si) - logNormal(phi[j], muOut, so);
            } else {
                score[j] = (phi[j] - muOut) / so;
            }
        }
        return MembershipScores.of(this, score, rows.labels(), online ? 0 : OFFLINE_THRESHOLD);
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

    private static double std(double[] v, int example) {
        if (v.length < 2) {
            throw new IllegalArgumentException("per-example variances need at least 2 shadow models on each side;"
                    + " candidate " + example + " has " + v.length + " (use Variance.GLOBAL)");
        }
        return Math.max(Math.sqrt(StatUtils.variance(v)), MIN_STD);
    }

    /** The standard deviation of every value around its own example's mean, pooled. */
    private static double pooledStd(double[][] groups) {
        double s = 0;
        long dof = 0;
        for (double[] g : groups) {
            double m = StatUtils.mean(g);
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
