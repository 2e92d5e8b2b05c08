package dev.rampart.core.norm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NormTest {

    @Test
    void perExampleNorms() {
        INDArray d = Nd4j.create(new float[] {3, -4, 0, 0, 1, -2}, new long[] {2, 3});
        assertArrayEquals(new double[] {5, Math.sqrt(5)}, Norm.L2.perExample(d), 1e-6);
        assertArrayEquals(new double[] {4, 2}, Norm.LINF.perExample(d), 1e-6);
    }

    @Test
    void projectionKeepsInsideAndLeavesShortVectors() {
        INDArray d = Nd4j.create(new float[] {3, -4, 0, 0.1f, 0.1f, 0}, new long[] {2, 3});
        Norm.L2.projectInPlace(d, 1.0);
        assertArrayEquals(new double[] {1.0, Math.sqrt(0.02)}, Norm.L2.perExample(d), 1e-6);
        assertEquals(0.6f, d.getFloat(0, 0), 1e-6f);
        INDArray e = Nd4j.create(new float[] {3, -4, 0.05f}, new long[] {1, 3});
        Norm.LINF.projectInPlace(e, 0.1);
        assertArrayEquals(new float[] {0.1f, -0.1f, 0.05f}, e.reshape(3).toFloatVector(), 1e-7f);
    }

    @Test
    void steepestAscentHasUnitNormPerExample() {
        INDArray g = Nd4j.create(new float[] {3, -4, 0, 0, 0, 0}, new long[] {2, 3});
        INDArray l2 = Norm.L2.steepestAscent(g);
        assertArrayEquals(new double[] {1, 0}, Norm.L2.perExample(l2), 1e-6);
        assertArrayEquals(new float[] {1, -1, 0, 0, 0, 0}, Norm.LINF.steepestAscent(g).reshape(6).toFloatVector());
    }

    @Test
    void randomPointsAreInsideTheBallAndSeeded() {
        long[] shape = {50, 1, 4, 4};
        for (Norm n : Norm.values()) {
            INDArray a = n.randomInBall(shape, 0.3, 9, DataType.FLOAT);
            INDArray b = n.randomInBall(shape, 0.3, 9, DataType.FLOAT);
            INDArray c = n.randomInBall(shape, 0.3, 10, DataType.FLOAT);
            assertEquals(a, b);
            assertTrue(!a.equals(c));
            for (double v : n.perExample(a)) {
                assertTrue(v <= 0.3 + 1e-6 && v > 0, n + " norm " + v);
            }
        }
    }
}
