package dev.rampart.attacks.federated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The byzantine updates against hand-computed cases. */
class ByzantineUpdatesTest {

    private static final List<INDArray> HONEST = List.of(Nd4j.createFromArray(1f, 2f), Nd4j.createFromArray(3f, 2f),
            Nd4j.createFromArray(2f, 5f));

    @Test
    void aLittleIsEnoughShiftsByTheLargestZTheMedianAccepts() {
        // n = 50, f = 10: s = 26 - 10 = 16, z = Phi^-1(34 / 50) = 0.4677
        assertEquals(0.46770, ALittleIsEnough.zMax(50, 10), 1e-4);
        // n = 5, f = 1: s = 3 - 1 = 2, z = Phi^-1(0.6) = 0.2533
        assertEquals(0.25335, ALittleIsEnough.zMax(5, 1), 1e-4);
        List<INDArray> bad = new ALittleIsEnough(1.0).craft(HONEST, 2, 5, 0);
        assertEquals(2, bad.size());
        // mean (2, 3), population std (sqrt(2/3), sqrt(2)): mean - std
        assertArrayEquals(new double[] {2 - Math.sqrt(2.0 / 3), 3 - Math.sqrt(2)}, bad.get(0).toDoubleVector(), 1e-6);
        assertArrayEquals(bad.get(0).toDoubleVector(), bad.get(1).toDoubleVector(), 0.0);
    }

    @Test
    void signFlippingAndInnerProductManipulationPointBackwards() {
        List<INDArray> flipped = new SignFlipping(2).craft(HONEST, 4, 7, 0);
        assertArrayEquals(new double[] {-2, -4}, flipped.get(0).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[] {-6, -4}, flipped.get(1).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[] {-2, -4}, flipped.get(3).toDoubleVector(), 1e-6, "cycles over the honest");
        List<INDArray> ipm = new InnerProductManipulation(0.5).craft(HONEST, 1, 4, 0);
        assertArrayEquals(new double[] {-1, -1.5}, ipm.get(0).toDoubleVector(), 1e-6);
    }

    @Test
    void gaussianUpdatesAreSeeded() {
        List<INDArray> a = new GaussianUpdates(3).craft(HONEST, 2, 5, 9);
        List<INDArray> b = new GaussianUpdates(3).craft(HONEST, 2, 5, 9);
        assertEquals(a, b);
        assertTrue(!a.get(0).equals(a.get(1)), "each malicious client draws its own noise");
        assertEquals(HONEST.get(0).dataType(), a.get(0).dataType());
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ALittleIsEnough().craft(List.of(), 1, 2, 0))
                .getMessage().contains("honest"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SignFlipping(1).craft(HONEST, 3, 5, 0))
                .getMessage().contains("clients (5)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SignFlipping(1).craft(List.of(
                Nd4j.createFromArray(1f), Nd4j.createFromArray(1f, 2f)), 1, 3, 0)).getMessage().contains("honest update 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GaussianUpdates(Double.NaN))
                .getMessage().contains("sigma"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new InnerProductManipulation(0))
                .getMessage().contains("epsilon"));
    }

    @Test
    void attacksByNameTakeAnOptionalStrength() {
        assertEquals("alie", ByzantineAttacks.parse("alie").name());
        assertEquals("alie(z=1.0)", ByzantineAttacks.parse("alie:1").name());
        assertEquals("sign-flip(10.0)", ByzantineAttacks.parse("Sign-Flip:10").name());
        assertEquals("sign-flip(1.0)", ByzantineAttacks.parse("sign-flip").name());
        assertEquals("gaussian(1.0)", ByzantineAttacks.parse("gaussian").name());
        assertEquals("ipm(0.5)", ByzantineAttacks.parse("ipm").name());
        assertEquals("ipm(2.0)", ByzantineAttacks.parse("ipm:2").name());
        for (String bad : new String[] {"", "nope", "alie:", "alie:x", "alie:0", "alie:NaN", "gaussian:-1",
            "sign-flip:Infinity"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByzantineAttacks.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ByzantineAttacks.parse(null));
    }
}
