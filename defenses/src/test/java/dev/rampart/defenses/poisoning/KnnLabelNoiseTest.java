package dev.rampart.defenses.poisoning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** k-NN label noise in a layer's representation through the poison-detector contract. */
class KnnLabelNoiseTest extends PoisonDetectorContract {

    @Override
    protected PoisonDetector make(ActivationModel model, long seed) {
        return KnnLabelNoise.builder(model).k(5).build();
    }

    /** The blocked search finds the same neighbours as a direct one, across a partial last block. */
    @Test
    void blockedSearchIsExact() {
        int n = 700; // two full blocks of 256 and a partial one
        int dims = 6;
        Random rnd = new Random(11);
        float[][] x = new float[n][dims];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextInt(3);
            for (int j = 0; j < dims; j++) {
                x[i][j] = (float) (rnd.nextGaussian() + (j == y[i] ? 1.5 : 0));
            }
            if (rnd.nextDouble() < 0.1) {
                y[i] = (y[i] + 1) % 3; // noise for the scan to find
            }
        }
        LabeledData data = new LabeledData("gauss", Nd4j.createFromArray(x).castTo(DataType.FLOAT), y, 3);
        int[] given = y.clone();
        int k = 7;
        double agreement = 0.6;
        LabeledData relabelled = KnnLabelNoise.inputSpace().k(k).agreement(agreement).build().relabel(data);
        int[] expected = y.clone();
        int changed = 0;
        for (int i = 0; i < n; i++) {
            double[] dist = new double[n];
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < dims; c++) {
                    double diff = (double) x[i][c] - x[j][c];
                    s += diff * diff;
                }
                dist[j] = j == i ? Double.POSITIVE_INFINITY : s;
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
            int[] votes = new int[3];
            for (int m = 0; m < k; m++) {
                votes[y[order[m]]]++;
            }
            for (int c = 0; c < 3; c++) {
                if (votes[c] >= agreement * k) {
                    changed += c != y[i] ? 1 : 0;
                    expected[i] = c;
                }
            }
        }
        assertTrue(changed > 20, changed + " labels changed: the case must exercise the vote");
        assertArrayEquals(expected, relabelled.labels());
        assertArrayEquals(given, data.labels(), "the input is left as it was");
    }
}
