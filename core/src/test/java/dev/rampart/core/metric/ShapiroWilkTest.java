package dev.rampart.core.metric;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** W and p against SciPy 1.17's {@code scipy.stats.shapiro} (the same AS R94 algorithm) on fixed samples. */
class ShapiroWilkTest {

    private static void check(double[] x, double w, double p) {
        ShapiroWilk.Result r = ShapiroWilk.test(x);
        assertEquals(w, r.w(), 2e-6, "W for n " + x.length);
        assertEquals(p, r.p(), Math.max(1e-5, 2e-3 * p), "p for n " + x.length);
    }

    @Test
    void smallSamplesMatchTheReference() {
        check(new double[] {2.040919, -2.555665, 0.418099}, 0.9720130775205333, 0.6789846305379762);
        check(new double[] {-0.56777, -0.452649, -0.215597, -2.019986}, 0.7913829128580985, 0.08764322206862447);
        check(new double[] {0.102593, 1.000962, 0.066308, 0.45126, 3.347638}, 0.7676288354561654, 0.04299215981087792);
        check(new double[] {-0.281287, -0.668046, -1.055151, -0.390801, 0.481945, -0.238554, 0.957759, -0.199802},
                0.9361117403977284, 0.5732738421229595);
        check(new double[] {0.0018, 1.165025, 0.894423, 1.216199, 0.653591, 0.574611, 0.589805, 0.583932, 0.041351,
            2.156873, 1.414369}, 0.939913431572895, 0.519480977565134);
        check(new double[] {-0.95005, -0.29172, 0.882539, 0.58035, 0.091517, 0.670104, -2.828162, 1.021307,
            -0.959645, -1.66862, 0.276446, 0.700545}, 0.8856278736978369, 0.10351048660129797);
    }

    @Test
    void largeSamplesMatchTheReference() {
        int[] sizes = {50, 200, 1000, 5000};
        double[][] ref = {
            {0.979236802130645, 0.5202408272646353, 0.7452688245527499, 5.924661606561038e-08},
            {0.9882107023001047, 0.09695018075741031, 0.8034333466711262, 3.823805777784265e-15},
            {0.9886489568768128, 5.454144141190647e-07, 0.8229928296811098, 8.361529426449494e-32},
            {0.9886534077295732, 1.252511649926203e-19, 0.8269338630489997, 6.90238024349156e-59}};
        for (int k = 0; k < sizes.length; k++) {
            int n = sizes[k];
            double[] wavy = new double[n];
            double[] skewed = new double[n];
            for (int i = 0; i < n; i++) {
                wavy[i] = Math.pow(Math.sin(i), 3) + (i % 7) / 10.0;
                skewed[i] = -Math.log(((i * 0.6180339887) % 1.0) + 1e-3);
            }
            check(wavy, ref[k][0], ref[k][1]);
            check(skewed, ref[k][2], ref[k][3]);
        }
    }

    @Test
    void badInputIsNamed() {
        assertMessage(() -> ShapiroWilk.test(new double[] {1, 2}), "needs 3 to 5000 values, found 2");
        assertMessage(() -> ShapiroWilk.test(new double[5001]), "found 5001");
        assertMessage(() -> ShapiroWilk.test(new double[] {1, Double.NaN, 2}), "values[1] is not finite");
        assertMessage(() -> ShapiroWilk.test(new double[] {4, 4, 4, 4}), "all 4 values are equal");
        assertMessage(() -> new ShapiroWilk(10).apply(new double[9]), "values must hold 10 numbers, found 9");
    }
}
