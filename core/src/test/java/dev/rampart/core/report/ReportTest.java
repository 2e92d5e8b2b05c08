package dev.rampart.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.random.Seeds;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void provenanceNamesVersionsAndBackend() {
        Provenance p = Provenance.current();
        assertEquals("1.0.0-M2.1", p.nd4jVersion());
        assertTrue(p.backend().startsWith("CPU"), p.backend());
        assertTrue(p.threads() > 0);
    }

    @Test
    void derivedSeedsDifferByPathAndRepeat() {
        assertEquals(Seeds.derive(1, 2, 3), Seeds.derive(1, 2, 3));
        assertNotEquals(Seeds.derive(1, 2, 3), Seeds.derive(1, 3, 2));
        assertNotEquals(Seeds.derive(1, 0), Seeds.derive(2, 0));
    }
}
