package dev.rampart.defenses.certification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every certification method promises, checked the same way for each (a test-jar class: a
 * new method's test extends it): the data is not modified, one seed gives one set of certificates,
 * certified accuracy never grows with the budget and never exceeds the share of correct
 * predictions, the certificates carry their configuration and provenance, and a bad budget is
 * named.
 */
public abstract class CertificationContract {

    /** Certifies {@code data} with every random choice fixed by {@code seed}. */
    protected abstract Certificates certify(LabeledData data, long seed) throws Exception;

    /** The examples certified. */
    protected abstract LabeledData data() throws Exception;

    /** Budgets of the curve, increasing, the first 0. */
    protected abstract double[] budgets();

    private double[] curve(Certificates c) {
        double[] b = budgets();
        double[] out = new double[b.length];
        for (int k = 0; k < b.length; k++) {
            out[k] = c.certifiedAccuracy(b[k]);
        }
        return out;
    }

    @Test
    void certifyingLeavesTheDataAsItWas() throws Exception {
        LabeledData d = data();
        INDArray before = d.features().dup();
        int[] labels = d.labels().clone();
        certify(d, 1);
        assertEquals(before, d.features(), "features modified");
        assertArrayEquals(labels, d.labels(), "labels modified");
    }

    @Test
    void oneSeedGivesOneSetOfCertificates() throws Exception {
        LabeledData d = data();
        assertArrayEquals(curve(certify(d, 7)), curve(certify(d, 7)), 0.0);
    }

    @Test
    void certifiedAccuracyFallsWithTheBudget() throws Exception {
        Certificates c = certify(data(), 3);
        double[] acc = curve(c);
        assertTrue(acc[0] > 0 && acc[0] <= 1, "at budget 0: " + acc[0]);
        for (int k = 1; k < acc.length; k++) {
            assertTrue(acc[k] <= acc[k - 1], "budget " + budgets()[k] + ": " + acc[k] + " above " + acc[k - 1]);
        }
        assertTrue(acc[acc.length - 1] < acc[0], "the largest budget certifies fewer examples than 0");
    }

    @Test
    void certificatesCarryTheirConfigurationAndProvenance() throws Exception {
        LabeledData d = data();
        Certificates c = certify(d, 5);
        assertEquals(d.size(), c.size());
        assertNotNull(c.config());
        assertNotNull(c.provenance());
        assertTrue(c.seconds() >= 0);
    }

    @Test
    void aBadBudgetIsRefused() throws Exception {
        Certificates c = certify(data(), 5);
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.certifiedAccuracy(bad));
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }
}
