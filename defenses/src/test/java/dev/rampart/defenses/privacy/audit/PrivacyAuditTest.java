package dev.rampart.defenses.privacy.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.testing.Fixtures;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.NoiseSource;
import dev.rampart.defenses.privacy.RdpAccountant;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit bites: a model trained without privacy, and DP-SGD with its noise cut to a tenth, prove
 * more than the claimed epsilon; correct DP-SGD never does.
 */
class PrivacyAuditTest {

    static final int EPOCHS = 30;
    static final int BATCH = 100;
    static final double CLAIMED = 1.0;
    static LabeledData train;
    static LabeledData pool;

    @BeforeAll
    static void data() throws IOException {
        train = FashionMnist.bundledTrain().head(1000);
        pool = FashionMnist.bundledTest().head(400);
    }

    /** DP-SGD with the noise multiplier that spends {@code CLAIMED} on the canaried set, times {@code scale}. */
    static TrainingRoutine dpSgd(double scale) {
        return dpSgd(scale, 1);
    }

    /** As above with the clip norm times {@code clipScale} and the noise's standard deviation unchanged. */
    static TrainingRoutine dpSgd(double scale, double clipScale) {
        return (data, seed) -> {
            double q = (double) BATCH / data.size();
            long steps = (long) EPOCHS * (long) Math.ceil(data.size() / (double) BATCH);
            double sigma = RdpAccountant.noiseMultiplier(CLAIMED, q, steps, 1e-5, RdpAccountant.DEFAULT_ORDERS);
            MultiLayerNetworkModel m = Fixtures.smallMlp(seed);
            DpSgd.builder(m).clipNorm(clipScale).noiseMultiplier(sigma * scale / clipScale).expectedBatchSize(BATCH).epochs(EPOCHS)
                    .delta(1e-5).seed(seed).noise(NoiseSource.seeded(seed)).build().fit(data);
            return m;
        };
    }

    static final TrainingRoutine NON_PRIVATE = (data, seed) -> {
        MultiLayerNetworkModel m = Fixtures.smallMlp(seed);
        dev.rampart.core.data.ShuffledBatches b = new dev.rampart.core.data.ShuffledBatches(data, BATCH, seed);
        for (int e = 0; e < EPOCHS; e++) {
            b.reset();
            while (b.hasNext()) {
                m.network().fit(b.next());
            }
        }
        return m;
    };

    /** 600 noise canaries, 120 guesses: all right would prove epsilon 3.8 at 95%. */
    static PrivacyAudit.Config config(long seed) {
        return PrivacyAudit.Config.of(600, 120).kind(PrivacyAudit.Canaries.NOISE).seed(seed);
    }

    @Test
    void brokenDpSgdProvesMoreThanItsClaim() {
        // measured: noise a tenth of the claim's, 98 of 120 right, bound 1.09; clipping off, 115 of
        // 120, 2.36; the correct run 0.02 and 0
        PrivacyAudit.Result weakNoise = PrivacyAudit.run(dpSgd(0.1), train, pool, config(3));
        assertTrue(weakNoise.epsilonLowerBound() > CLAIMED, weakNoise.toString());
        PrivacyAudit.Result noClip = PrivacyAudit.run(dpSgd(1, 1000), train, pool, config(3));
        assertTrue(noClip.epsilonLowerBound() > CLAIMED, noClip.toString());
    }

    @Test
    void correctDpSgdNeverProvesMoreThanItsClaimAndTheInputIsKept() {
        double before = train.features().sumNumber().doubleValue();
        for (long seed : new long[] {3, 4}) {
            PrivacyAudit.Result r = PrivacyAudit.run(dpSgd(1), train, pool, config(seed));
            assertTrue(r.epsilonLowerBound() <= CLAIMED, r.toString());
            int in = 0;
            for (boolean b : r.in()) {
                in += b ? 1 : 0;
            }
            assertEquals(r.included(), in);
            assertEquals(600, r.scores().length);
            assertEquals(config(seed), r.config());
            assertTrue(r.correct() <= r.guesses());
        }
        assertEquals(1000, train.size(), "the training set is not modified");
        assertEquals(before, train.features().sumNumber().doubleValue(), 0);
    }

    /**
     * DP-SGD on {@code train} with the noise multiplier that spends {@code CLAIMED}, times
     * {@code scale}: below 1, the noise of a run that adds less than its claim accounts for.
     */
    static DpSgd<MultiLayerNetworkModel> whiteBox(double scale, long seed) {
        double q = (double) BATCH / train.size();
        long steps = (long) EPOCHS * (long) Math.ceil(train.size() / (double) BATCH);
        double sigma = RdpAccountant.noiseMultiplier(CLAIMED, q, steps, 1e-5, RdpAccountant.DEFAULT_ORDERS);
        return DpSgd.builder(Fixtures.smallMlp(seed)).clipNorm(1).noiseMultiplier(sigma * scale).expectedBatchSize(BATCH)
                .epochs(EPOCHS).delta(1e-5).seed(seed).noise(NoiseSource.seeded(seed)).build();
    }

    static PrivacyAudit.Config gradientConfig(long seed) {
        return PrivacyAudit.Config.of(1000, 200).kind(PrivacyAudit.Canaries.GRADIENT).seed(seed);
    }

    @Test
    void gradientCanariesCatchWeakNoiseAndNeverExceedACorrectRunsEpsilon() {
        // measured: a tenth of the noise, BOUND_WEAK; the correct runs BOUND_OK
        PrivacyAudit.GradientAudit weak = PrivacyAudit.runGradient(whiteBox(0.1, 3), train, gradientConfig(3));
        assertTrue(weak.audit().epsilonLowerBound() > 2 * CLAIMED, weak.audit().toString());
        assertTrue(!weak.broken(), "its own accountant, at a tenth of the noise, allows " + weak.training().epsilon());
        for (long seed : new long[] {3, 4}) {
            PrivacyAudit.GradientAudit ok = PrivacyAudit.runGradient(whiteBox(1, seed), train, gradientConfig(seed));
            assertTrue(!ok.broken() && ok.audit().epsilonLowerBound() <= CLAIMED, ok.audit().toString());
            assertEquals(CLAIMED, ok.training().epsilon(), 0.01);
            System.out.println("gradient audit, correct run, seed " + seed + ": " + ok.audit());
        }
        System.out.println("gradient audit, a tenth of the noise: " + weak.audit());
    }

    @Test
    void gradientCanariesSitWhereTheDataIsQuietAndBadSettingsAreNamed() {
        MultiLayerNetworkModel m = Fixtures.smallMlp(5);
        int[] at = PrivacyAudit.quietCoordinates(m, train, gradientConfig(5));
        assertEquals(1000, at.length);
        assertEquals(1000, java.util.Arrays.stream(at).distinct().count());
        org.nd4j.linalg.api.ndarray.INDArray g = m.parameterGradient(train.head(200).features(),
                dev.rampart.core.model.Labels.oneHot(java.util.Arrays.copyOf(train.labels(), 200), 10)
                        .castTo(m.dataType())).reshape(-1);
        double quiet = 0;
        for (int j : at) {
            quiet += Math.abs(g.getDouble(j));
        }
        double all = g.norm1Number().doubleValue() / g.length() * at.length;
        assertTrue(quiet < 0.05 * all, "canaries on quiet parameters: " + quiet + " against " + all);

        DpSgd<MultiLayerNetworkModel> dp = whiteBox(1, 5);
        assertEquals("runGradient needs kind GRADIENT, found NOISE (input-space canaries go through PrivacyAudit.run)",
                assertThrows(IllegalArgumentException.class, () -> PrivacyAudit.runGradient(dp, train,
                        config(1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrivacyAudit.run(NON_PRIVATE, train, pool,
                gradientConfig(1))).getMessage().startsWith("gradient canaries go into DP-SGD's sums"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrivacyAudit.runGradient(dp, train,
                PrivacyAudit.Config.of(30_000, 20).kind(PrivacyAudit.Canaries.GRADIENT))).getMessage()
                .startsWith("canaries (30000) exceed the model's "));
        assertEquals("canary coordinate 7 is repeated", assertThrows(IllegalArgumentException.class,
                () -> dp.withGradientCanaries(new int[] {7, 7}, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> dp.withGradientCanaries(new int[] {-1}, null))
                .getMessage().startsWith("canary coordinate -1 is outside the model's "));
    }

    /** 100 images, batch 25, 5 epochs (20 steps): DP-SGD claiming {@code CLAIMED}, noise times {@code scale}. */
    static java.util.function.LongFunction<DpSgd<MultiLayerNetworkModel>> tinyRuns(double scale) {
        double sigma = RdpAccountant.noiseMultiplier(CLAIMED, 0.25, 20, 1e-5, RdpAccountant.DEFAULT_ORDERS);
        return seed -> DpSgd.builder(Fixtures.smallMlp(seed)).clipNorm(1).noiseMultiplier(sigma * scale)
                .expectedBatchSize(25).epochs(5).delta(1e-5).seed(seed).noise(NoiseSource.seeded(seed)).build();
    }

    @Test
    void theMultiRunAuditSeparatesRunsWithTheCanaryWhenTheNoiseIsForgotten() {
        LabeledData small = train.head(100);
        // a hundredth of the noise: 30 runs without an error prove ln((1 - delta - 0.218) / 0.218) = 1.27;
        // at a tenth, 6 and 3 errors in 40 runs proved only 0.19 (one run audits one example: weak)
        PrivacyAudit.MultiRunResult weak = PrivacyAudit.runGradientMultiRun(tinyRuns(0.01), small, 30, 1e-5, 0.95, 1);
        assertTrue(weak.epsilonLowerBound() > CLAIMED, weak.toString());
        assertEquals(2.5, weak.threshold(), 1e-12, "half of C q T = 1 x 0.25 x 20");
        PrivacyAudit.MultiRunResult ok = PrivacyAudit.runGradientMultiRun(tinyRuns(1), small, 20, 1e-5, 0.95, 1);
        assertTrue(ok.epsilonLowerBound() <= CLAIMED, ok.toString());
        assertEquals(CLAIMED, ok.epsilonUpperBound(), 0.01);
        int in = 0;
        for (boolean b : ok.in()) {
            in += b ? 1 : 0;
        }
        assertEquals(10, in);
        System.out.println("multi-run audit: weak noise " + weak + "; correct " + ok);
        assertEquals("runs must be at least 2, found 1", assertThrows(IllegalArgumentException.class,
                () -> PrivacyAudit.runGradientMultiRun(tinyRuns(1), small, 1, 1e-5, 0.95, 1)).getMessage());
        assertEquals("confidence must be in (0, 1), found 1.0", assertThrows(IllegalArgumentException.class,
                () -> PrivacyAudit.runGradientMultiRun(tinyRuns(1), small, 4, 1e-5, 1, 1)).getMessage());
    }

    @Test
    void badInputIsNamed() {
        assertEquals("canaries must be at least 2, found 0", assertThrows(IllegalArgumentException.class,
                () -> PrivacyAudit.Config.of(0, 2)).getMessage());
        assertEquals("guesses must be in [2, canaries=10], found 11", assertThrows(IllegalArgumentException.class,
                () -> PrivacyAudit.Config.of(10, 11)).getMessage());
        assertEquals("delta must be in [0, 1), found NaN", assertThrows(IllegalArgumentException.class,
                () -> PrivacyAudit.Config.of(10, 4).delta(Double.NaN)).getMessage());
        assertEquals("canaries (500) exceed the pool's 400 held-out examples", assertThrows(
                IllegalArgumentException.class, () -> PrivacyAudit.run(NON_PRIVATE, train, pool,
                        PrivacyAudit.Config.of(500, 20))).getMessage());
        LabeledData flat = new LabeledData("flat", pool.features().reshape(400, 784), pool.labels(), 10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrivacyAudit.run(NON_PRIVATE, train, flat,
                PrivacyAudit.Config.of(10, 4))).getMessage().startsWith("the pool's examples are [784] of 10 classes"));
        assertThrows(IllegalArgumentException.class, () -> PrivacyAudit.run(NON_PRIVATE, train, null,
                PrivacyAudit.Config.of(10, 4)));
    }
}
