package dev.rampart.defenses.federated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.federated.ALittleIsEnough;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every aggregation rule against a hand-computed case, the robust ones against arbitrary updates. */
class AggregatorsTest {

    private static INDArray v(double... x) {
        return Nd4j.createFromArray(x);
    }

    private static double[] run(Aggregator a, INDArray... updates) {
        return a.aggregate(Aggregator.Round.of(List.of(updates))).update().toDoubleVector();
    }

    @Test
    void handComputedCases() {
        assertArrayEquals(new double[] {2, 4}, run(new FedAvg(), v(1, 2), v(3, 6)), 1e-12);
        assertArrayEquals(new double[] {2.5, 5}, new FedAvg().aggregate(new Aggregator.Round(List.of(v(1, 2), v(3, 6)),
                new double[] {1, 3}, null)).update().toDoubleVector(), 1e-12, "weighted by examples");
        assertArrayEquals(new double[] {2, 5}, run(new CoordinateMedian(), v(1, 9), v(2, 5), v(100, 0)), 1e-12);
        assertArrayEquals(new double[] {6, -1.5}, run(new CoordinateMedian(), v(20, -1), v(1, -2), v(10, 7), v(2, -100)),
                1e-12, "an even count averages the middle two");
        // beta 0.2 of 5: drop the 1 largest and 1 smallest per coordinate
        assertArrayEquals(new double[] {3, 30}, run(new TrimmedMean(0.2), v(1, 10), v(2, 20), v(3, 30), v(4, 40),
                v(1000, 50)), 1e-12);
        // Krum f = 1, n = 5: the sum of squared distances to the n - f - 2 = 2 nearest: (0,0) 1 + 2,
        // (1,1) 1 + 2, (2,2) 2 + 5, (1,0) 1 + 1 (the best), the outlier far worse
        Aggregator.Result k = new Krum(1, 1).aggregate(Aggregator.Round.of(List.of(v(0, 0), v(1, 1), v(2, 2), v(1, 0),
                v(50, 50))));
        assertArrayEquals(new double[] {1, 0}, k.update().toDoubleVector(), 1e-12);
        assertArrayEquals(new int[] {3}, k.kept());
        Aggregator.Result mk = new Krum(1, 3).aggregate(Aggregator.Round.of(List.of(v(0, 0), v(1, 1), v(2, 2), v(1, 0),
                v(50, 50))));
        assertTrue(!java.util.Arrays.stream(mk.kept()).anyMatch(i -> i == 4), "multi-Krum drops the outlier");
        // norm bound 1: (3, 4) becomes (0.6, 0.8); (0, 0.5) stays
        Aggregator.Result nb = new NormBounding(1, 0, 1).aggregate(Aggregator.Round.of(List.of(v(3, 4), v(0, 0.5))));
        assertArrayEquals(new double[] {0.3, 0.65}, nb.update().toDoubleVector(), 1e-12);
        assertArrayEquals(new int[] {1}, nb.kept());
        // FLTrust: server (1, 0); (2, 2) has cos 0.707 and is rescaled to norm 1; (-5, 0) gets no trust
        Aggregator.Result ft = new FlTrust().aggregate(new Aggregator.Round(List.of(v(2, 2), v(-5, 0)),
                new double[] {1, 1}, v(1, 0)));
        assertArrayEquals(new double[] {Math.sqrt(0.5), Math.sqrt(0.5)}, ft.update().toDoubleVector(), 1e-12);
        assertArrayEquals(new int[] {0}, ft.kept());
        // Bulyan f = 1 needs 7: theta = 5 chosen by Krum, then the 3 values nearest the median averaged
        Aggregator.Result b = new Bulyan(1).aggregate(Aggregator.Round.of(List.of(v(1), v(2), v(3), v(4), v(5), v(6),
                v(1000))));
        assertEquals(1, b.update().length());
        assertTrue(!java.util.Arrays.stream(b.kept()).anyMatch(i -> i == 6), "Bulyan drops the outlier");
        assertTrue(b.update().getDouble(0) >= 2 && b.update().getDouble(0) <= 5, "result " + b.update());
    }

    /** f arbitrary updates never push median or trimmed mean outside the honest range, coordinate by coordinate. */
    @Test
    void medianAndTrimmedMeanIgnoreUpToFArbitraryUpdates() {
        Random rng = new Random(3);
        int honestCount = 15;
        int f = 4;
        for (int trial = 0; trial < 20; trial++) {
            List<INDArray> all = new ArrayList<>();
            double[][] honest = new double[honestCount][6];
            for (int i = 0; i < honestCount; i++) {
                for (int j = 0; j < 6; j++) {
                    honest[i][j] = rng.nextGaussian();
                }
                all.add(v(honest[i]));
            }
            for (int i = 0; i < f; i++) {
                double[] bad = new double[6];
                for (int j = 0; j < 6; j++) {
                    bad[j] = (rng.nextBoolean() ? 1 : -1) * Math.pow(10, rng.nextInt(8));
                }
                all.add(v(bad));
            }
            for (Aggregator a : new Aggregator[] {new CoordinateMedian(), new TrimmedMean(0.25), new Bulyan(f)}) {
                if (a instanceof Bulyan && all.size() < 4 * f + 3) {
                    continue;
                }
                double[] r = a.aggregate(Aggregator.Round.of(all)).update().toDoubleVector();
                for (int j = 0; j < 6; j++) {
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = Double.NEGATIVE_INFINITY;
                    for (double[] h : honest) {
                        lo = Math.min(lo, h[j]);
                        hi = Math.max(hi, h[j]);
                    }
                    assertTrue(r[j] >= lo - 1e-12 && r[j] <= hi + 1e-12, a.name() + " trial " + trial + " coordinate "
                            + j + ": " + r[j] + " outside [" + lo + ", " + hi + "]");
                }
            }
            // Krum with n > 2f + 2 picks an honest update whatever the f others are
            int[] kept = new Krum(f, 1).aggregate(Aggregator.Round.of(all)).kept();
            assertTrue(kept[0] < honestCount, "trial " + trial + ": Krum picked malicious update " + kept[0]);
        }
    }

    /** A Little Is Enough stays inside the honest spread, where median and Krum let it through (Baruch et al. 2019). */
    @Test
    void aLittleIsEnoughPassesKrumWhereALargeUpdateDoesNot() {
        Random rng = new Random(4);
        List<INDArray> honest = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double[] u = new double[20];
            for (int j = 0; j < 20; j++) {
                u[j] = 1 + rng.nextGaussian();
            }
            honest.add(v(u));
        }
        List<INDArray> all = new ArrayList<>(honest);
        all.addAll(new ALittleIsEnough().craft(honest, 10, 50, 1));
        int[] kept = new Krum(10, 1).aggregate(Aggregator.Round.of(all)).kept();
        assertTrue(kept[0] >= 40, "Krum picks one of ALIE's identical updates: " + kept[0]);
    }

    @Test
    void badRoundsAreRefusedByName() {
        INDArray nan = v(1, Double.NaN);
        for (Aggregator a : new Aggregator[] {new FedAvg(), new CoordinateMedian(), new TrimmedMean(0.1),
                new Krum(0, 1), new Bulyan(0), new NormBounding(1, 0, 1), new FlTrust(), new DpFedAvg(1, 1, 3, 1)}) {
            Aggregator.Round r = new Aggregator.Round(List.of(v(1, 2), v(1, 2), nan), new double[] {1, 1, 1}, v(1, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.aggregate(r), a.name());
            assertTrue(e.getMessage().contains("client 2") && e.getMessage().contains("NaN"), e.getMessage());
            Aggregator.Round shape = new Aggregator.Round(List.of(v(1, 2), v(1, 2, 3), v(1, 2)), new double[] {1, 1, 1},
                    v(1, 1));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> a.aggregate(shape)).getMessage()
                    .contains("client 1 has 3 values"), a.name());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Krum(2, 1).aggregate(Aggregator.Round.of(
                List.of(v(1), v(2), v(3), v(4), v(5), v(6))))).getMessage().contains("more than 2f + 2 = 6"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bulyan(1).aggregate(Aggregator.Round.of(
                List.of(v(1), v(2), v(3), v(4), v(5), v(6))))).getMessage().contains("4f + 3 = 7"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TrimmedMean(0.5)).getMessage()
                .contains("[0, 0.5), found 0.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FlTrust().aggregate(Aggregator.Round.of(
                List.of(v(1))))).getMessage().contains("serverUpdate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FedAvg().aggregate(new Aggregator.Round(
                List.of(v(1)), new double[] {0}, null))).getMessage().contains("weights[0]"));
    }

    /** DP-FedAvg: clipped sum over the expected count, and noise of sigma * clip / (q N) in every coordinate. */
    @Test
    void dpFedAvgClipsAndAddsCalibratedNoise() {
        assertArrayEquals(new double[] {0.3, 0.65}, run(new DpFedAvg(1, 0, 2, 1), v(3, 4), v(0, 0.5)), 1e-12);
        INDArray zero = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 40_000);
        INDArray noisy = new DpFedAvg(1, 2, 4, 7).aggregate(Aggregator.Round.of(List.of(zero, zero))).update();
        assertEquals(0.5, noisy.stdNumber().doubleValue(), 0.01, "2 x 1 / 4");
        assertEquals(0, noisy.meanNumber().doubleValue(), 0.01);
        double few = DpFedAvg.epsilon(0.1, 1.1, 100, 1e-5);
        double many = DpFedAvg.epsilon(0.1, 1.1, 400, 1e-5);
        assertTrue(few > 0 && many > few, few + " " + many);
    }

    @Test
    void theInputsAreNotModifiedAndNoiseIsSeeded() {
        List<INDArray> u = List.of(v(3, 4), v(0, 0.5), v(1, 1));
        List<INDArray> before = u.stream().map(INDArray::dup).toList();
        for (Aggregator a : new Aggregator[] {new FedAvg(), new CoordinateMedian(), new TrimmedMean(0.3),
                new NormBounding(1, 0.1, 5), new FlTrust()}) {
            a.aggregate(new Aggregator.Round(u, new double[] {1, 1, 1}, v(1, 1)));
        }
        assertEquals(before, u);
        assertArrayEquals(new NormBounding(1, 0.1, 5).aggregate(Aggregator.Round.of(u)).update().toDoubleVector(),
                new NormBounding(1, 0.1, 5).aggregate(Aggregator.Round.of(u)).update().toDoubleVector(), 0.0);
    }

    @Test
    void rulesByNameCarryTheirSettingsAndRefuseRoundsTooSmall() {
        Aggregators.Settings s = Aggregators.Settings.of(11, 2).trim(0.1).bound(2.5).noise(0.5).seed(4);
        List<String> names = new ArrayList<>();
        for (String n : Aggregators.NAMES) {
            names.add(Aggregators.named(n, s).name());
        }
        assertEquals(List.of("fedavg", "median", "trimmed-mean(beta=0.1)", "krum(f=2)", "multi-krum(f=2, m=9)",
                "bulyan(f=2)", "norm-bound(2.5, sigma=0.5)", "fltrust", "dp-fedavg(clip=2.5, sigma=0.5)"), names);
        assertEquals("krum(f=2)", Aggregators.named("KRUM", s).name(), "names ignore case");
        IllegalArgumentException krum = assertThrows(IllegalArgumentException.class,
                () -> Aggregators.named("krum", Aggregators.Settings.of(6, 2)));
        assertEquals("krum needs per-round > 2f + 2 = 6 for f = 2, found 6", krum.getMessage());
        IllegalArgumentException bulyan = assertThrows(IllegalArgumentException.class,
                () -> Aggregators.named("bulyan", Aggregators.Settings.of(10, 2)));
        assertEquals("bulyan needs per-round >= 4f + 3 = 11 for f = 2, found 10", bulyan.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Aggregators.named("mean", s));
        assertTrue(unknown.getMessage().endsWith("found 'mean'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Aggregators.named("trimmed-mean", s.trim(0.5)));
        assertThrows(IllegalArgumentException.class, () -> Aggregators.named("fedavg", Aggregators.Settings.of(0, 0)));
        assertThrows(IllegalArgumentException.class, () -> Aggregators.named("fedavg", null));
    }

    /** Bulyan's column phase, done on whole columns, against a plain per-coordinate reference. */
    @Test
    void bulyanAveragesTheValuesNearestEachColumnsMedian() {
        Random rng = new Random(11);
        for (int rows : new int[] {5, 6, 9}) {
            for (int beta : new int[] {1, 2, rows - 2}) {
                if (rows % 2 == 0 && beta == 1) {
                    continue; // the two middle values are equally near the median: either is right
                }
                double[][] x = new double[rows][40];
                for (double[] r : x) {
                    for (int j = 0; j < r.length; j++) {
                        r[j] = rng.nextInt(4) == 0 ? rng.nextGaussian() * 100 : rng.nextGaussian();
                    }
                }
                double[] got = Bulyan.nearestMedianMean(Nd4j.createFromArray(x), beta).toDoubleVector();
                for (int j = 0; j < 40; j++) {
                    double[] col = new double[rows];
                    for (int i = 0; i < rows; i++) {
                        col[i] = x[i][j];
                    }
                    double[] sorted = col.clone();
                    java.util.Arrays.sort(sorted);
                    double med = rows % 2 == 1 ? sorted[rows / 2] : (sorted[rows / 2 - 1] + sorted[rows / 2]) / 2;
                    Double[] byDistance = java.util.Arrays.stream(col).boxed().toArray(Double[]::new);
                    java.util.Arrays.sort(byDistance, (a, b) -> Double.compare(Math.abs(a - med), Math.abs(b - med)));
                    double sum = 0;
                    for (int k = 0; k < beta; k++) {
                        sum += byDistance[k];
                    }
                    assertEquals(sum / beta, got[j], 1e-9, rows + " rows, beta " + beta + ", column " + j);
                }
            }
        }
        // a hand case: 1, 2, 3, 10, 11 has median 3; the 3 nearest are 1, 2, 3 (10 is 7 away)
        assertArrayEquals(new double[] {2}, Bulyan.nearestMedianMean(Nd4j.createFromArray(new double[][] {{10}, {1},
            {11}, {3}, {2}}), 3).toDoubleVector(), 1e-12);
    }
}
