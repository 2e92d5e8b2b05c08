package dev.rampart.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.random.Seeds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void jsonEscapesStringsAndWritesNonFiniteAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a\"b\\c\nd");
        m.put("nan", Double.NaN);
        m.put("list", List.of(1, 0.5, true));
        m.put("array", new double[] {0.25, Double.POSITIVE_INFINITY});
        String json = Json.write(m);
        assertTrue(json.contains("\"a\\\"b\\\\c\\nd\""), json);
        assertTrue(json.contains("\"nan\": null"), json);
        assertTrue(json.contains("[1, 0.5, true]"), json);
        assertTrue(json.contains("[0.25, null]"), json);
    }

    @Test
    void tableAlignsColumnsAndChecksRowWidth() {
        Table t = new Table("attack", "accuracy").row("PGD-20", "12.5%").row("FGSM", "40.0%");
        String[] lines = t.toString().split("\n");
        assertEquals(4, lines.length);
        assertEquals(lines[0].length(), lines[2].length());
        assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
    }

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
