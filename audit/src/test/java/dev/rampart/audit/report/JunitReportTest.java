package dev.rampart.audit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rampart.audit.AuditReport;
import dev.rampart.audit.Gates;
import dev.rampart.core.report.Provenance;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The JUnit XML parses, counts its cases and failures, and carries names with markup and control characters. */
class JunitReportTest {

    @Test
    void aWellFormedDocumentWithEveryNameIntact() throws Exception {
        String model = "m<1> & \"two\"\u0001";
        AuditReport.Row pgd = new AuditReport.Row("PGD-20", "pgd", 0.1, 3, 10, 0.3, new double[] {0.1, 0.6}, 0.7,
                0.1, 1.5, new int[] {3}, "steps 20");
        AuditReport.ModelResult m = new AuditReport.ModelResult(model, "a model", 9, 0.9, new double[] {0.6, 0.98},
                new int[] {10}, new int[] {9}, List.of(pgd), List.of(), List.of());
        AuditReport report = new AuditReport(List.of(m), "data", 10, List.of("zero"), null, 2.0, Provenance.current());
        List<Gates.Check> checks = List.of(new Gates.Check(model, "pgd", 0.1, false,
                "requirement pgd@0.1>=50% failed: 30.0% < 50.0% <&>"));
        String xml = JunitReport.write(report, checks);
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element root = d.getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        assertEquals("2", root.getAttribute("tests"));
        assertEquals("1", root.getAttribute("failures"));
        Element suite = (Element) root.getElementsByTagName("testsuite").item(0);
        assertEquals("rampart audit: m<1> & \"two\"", suite.getAttribute("name"), "control characters are dropped");
        Element second = (Element) suite.getElementsByTagName("testcase").item(1);
        assertEquals("PGD-20 at epsilon 0.1", second.getAttribute("name"));
        assertEquals("1.500", second.getAttribute("time"));
        Element failure = (Element) second.getElementsByTagName("failure").item(0);
        assertEquals("requirement pgd@0.1>=50% failed: 30.0% < 50.0% <&>", failure.getAttribute("message"));
        assertEquals(0, ((Element) suite.getElementsByTagName("testcase").item(0)).getElementsByTagName("failure")
                .getLength());
    }
}
