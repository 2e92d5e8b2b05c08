package dev.rampart.audit.report;

import dev.rampart.audit.Numbers;
import dev.rampart.audit.Audit;
import dev.rampart.audit.AuditReport;
import dev.rampart.audit.Gates;
import dev.rampart.core.model.InputDomain;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The audit as one self-contained HTML file (no network, images and plots embedded): for each
 * model, robust accuracy against epsilon per attack (an SVG plot, the clean accuracy at epsilon
 * 0), a table of every figure with its 95% interval, robust accuracy per class, a gallery of
 * adversarial examples (the original, the perturbation amplified to full contrast, the
 * adversarial example, with the model's classes and confidences, and the gradient saliency of the
 * original: where the loss is most sensitive), the gradient-masking warnings, the quality gates,
 * and how the report was made.
 *
 * <pre>{@code
 * Files.writeString(Path.of("audit.html"), HtmlReport.write(report, checks));
 * }</pre>
 */
public final class HtmlReport {

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
        "#17becf", "#bcbd22", "#7f7f7f"};
    private static final int IMAGE_PIXELS = 96;

    private HtmlReport() {
    }

    /** The HTML document. */
    public static String write(AuditReport report, List<Gates.Check> checks) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Rampart robustness audit")
                .append("</title>\n<style>\n").append(STYLE).append("</style></head><body>\n");
        h.append("<h1>Rampart robustness audit</h1>\n<p class=\"lead\">").append(esc(report.samples() + " test examples of "
                + report.dataset() + ", " + norm(report) + " threat model, budgets " + String.join(", ",
                        java.util.Arrays.stream(report.config().epsilons()).mapToObj(Numbers::epsilon).toList())))
                .append(". <b>Robust accuracy</b> is the share of test examples still classified correctly under"
                        + " attack; intervals are 95% Wilson score intervals; the <b>worst case</b> counts an"
                        + " example as robust only if no attack fooled it at that budget.</p>\n");
        if (!checks.isEmpty()) {
            h.append("<h2>Quality gates</h2>\n<ul class=\"gates\">\n");
            for (Gates.Check c : checks) {
                h.append("<li class=\"").append(c.passed() ? "pass" : "fail").append("\">")
                        .append(c.passed() ? "passed: " : "FAILED: ").append(esc(c.message())).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        for (AuditReport.ModelResult m : report.models()) {
            model(h, report, m);
        }
        h.append("<h2>How this report was made</h2>\n<table class=\"small\">\n");
        Map<String, Object> made = new LinkedHashMap<>(JsonReport.provenance(report.provenance()));
        made.put("attacks", String.join(", ", report.config().attacks().stream().map(a -> a.option()).toList()));
        made.put("PGD steps and restarts", report.config().pgdSteps() + " x " + report.config().pgdRestarts());
        made.put("Square queries", report.config().squareQueries());
        made.put("seed", report.config().seed());
        made.put("wall time", String.format(Locale.ROOT, "%.1f s", report.seconds()));
        for (Map.Entry<String, Object> e : made.entrySet()) {
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(String.valueOf(e.getValue())))
                    .append("</td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    private static void model(StringBuilder h, AuditReport report, AuditReport.ModelResult m) {
        h.append("<h2>").append(esc(m.name())).append(" <small>").append(esc(m.description())).append("</small></h2>\n");
        h.append("<p>Clean accuracy <b>").append(Numbers.percent(m.cleanAccuracy())).append("</b> (")
                .append(Numbers.percent(m.cleanInterval()[0])).append(" to ")
                .append(Numbers.percent(m.cleanInterval()[1])).append(").</p>\n");
        for (String w : m.warnings()) {
            h.append("<p class=\"warning\">Gradient-masking warning: ").append(esc(w)).append("</p>\n");
        }
        h.append("<div class=\"row\">").append(plot(report, m)).append(figures(m)).append("</div>\n");
        classes(h, report, m);
        gallery(h, report, m);
    }

    /** Robust accuracy against epsilon, one line per attack, the worst case in black. */
    static String plot(AuditReport report, AuditReport.ModelResult m) {
        double[] eps = report.config().epsilons();
        double maxEps = java.util.Arrays.stream(eps).max().orElse(1);
        int w = 520;
        int ht = 320;
        int left = 56;
        int right = 150;
        int top = 20;
        int bottom = 44;
        double pw = w - left - right;
        double ph = ht - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"robust accuracy against epsilon\">%n",
                w, ht, w, ht));
        for (int p = 0; p <= 100; p += 20) {
            double y = top + ph * (1 - p / 100.0);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%d%%</text>%n", left, y, left + pw, y,
                    left - 6, y + 4, p));
        }
        List<Double> ticks = new ArrayList<>(List.of(0.0));
        for (double e : eps) {
            ticks.add(e);
        }
        for (double e : ticks) {
            double x = left + pw * e / maxEps;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>%n", x, top + ph, x,
                    top + ph + 5, x, top + ph + 18, Numbers.epsilon(e)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"label\" text-anchor=\"middle\">epsilon"
                + " (%s)</text>%n", left + pw / 2, ht - 6, norm(report)));
        s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" class=\"label\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 14 %.1f)\">robust accuracy</text>%n", top + ph / 2, top + ph / 2));
        Map<String, List<AuditReport.Row>> lines = new LinkedHashMap<>();
        for (AuditReport.Row r : m.rows()) {
            lines.computeIfAbsent(r.attack(), k -> new ArrayList<>()).add(r);
        }
        int i = 0;
        for (Map.Entry<String, List<AuditReport.Row>> line : lines.entrySet()) {
            boolean worst = line.getValue().get(0).option().equals(AuditReport.WORST_CASE);
            String color = worst ? "#000000" : COLORS[i++ % COLORS.length];
            StringBuilder pts = new StringBuilder(String.format(Locale.ROOT, "%d,%.1f", left, top + ph * (1
                    - m.cleanAccuracy())));
            for (AuditReport.Row r : line.getValue()) {
                pts.append(String.format(Locale.ROOT, " %.1f,%.1f", left + pw * r.epsilon() / maxEps, top + ph * (1
                        - r.robustAccuracy())));
            }
            s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\""
                    + "%s/>%n", pts, color, worst ? "3" : "2", worst ? " stroke-dasharray=\"6 3\"" : ""));
            for (AuditReport.Row r : line.getValue()) {
                double x = left + pw * r.epsilon() / maxEps;
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                        + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s at %s: %s (%s to %s)</title>"
                        + "</circle>%n", x, top + ph * (1 - r.interval()[0]), x, top + ph * (1 - r.interval()[1]), color,
                        x, top + ph * (1 - r.robustAccuracy()), color, esc(r.attack()), Numbers.epsilon(r.epsilon()),
                        Numbers.percent(r.robustAccuracy()), Numbers.percent(r.interval()[0]),
                        Numbers.percent(r.interval()[1])));
            }
            double ly = top + 14 + 18 * (worst ? lines.size() - 1 : i - 1);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                    + " stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>%n", left + pw + 12,
                    ly - 4, left + pw + 32, ly - 4, color, left + pw + 38, ly, esc(line.getKey())));
        }
        return s.append("</svg>\n").toString();
    }

    private static String figures(AuditReport.ModelResult m) {
        StringBuilder t = new StringBuilder("<table class=\"figures\"><tr><th>attack</th><th>epsilon</th>"
                + "<th>robust accuracy</th><th>95% interval</th><th>success among correct</th><th>median norm of"
                + " successes</th><th>time</th></tr>\n");
        for (AuditReport.Row r : m.rows()) {
            t.append("<tr").append(r.option().equals(AuditReport.WORST_CASE) ? " class=\"worst\"" : "").append("><td>")
                    .append(esc(r.attack())).append("</td><td>").append(Numbers.epsilon(r.epsilon()))
                    .append("</td><td><b>").append(Numbers.percent(r.robustAccuracy())).append("</b></td><td>")
                    .append(Numbers.percent(r.interval()[0])).append(" to ")
                    .append(Numbers.percent(r.interval()[1])).append("</td><td>")
                    .append(Numbers.percent(r.successRate())).append("</td><td>")
                    .append(Double.isNaN(r.medianPerturbation()) ? "-" : String.format(Locale.ROOT, "%.3g",
                            r.medianPerturbation()))
                    .append("</td><td>").append(Double.isNaN(r.seconds()) ? "-" : String.format(Locale.ROOT, "%.1f s",
                            r.seconds())).append("</td></tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    /** Robust accuracy per class: clean, then the worst case at every budget, shaded by value. */
    private static void classes(StringBuilder h, AuditReport report, AuditReport.ModelResult m) {
        List<AuditReport.Row> worst = m.rows().stream().filter(r -> r.option().equals(AuditReport.WORST_CASE)).toList();
        h.append("<h3>Per class</h3>\n<table class=\"classes\"><tr><th>class</th><th>examples</th><th>clean</th>");
        for (AuditReport.Row r : worst) {
            h.append("<th>worst case at ").append(Numbers.epsilon(r.epsilon())).append("</th>");
        }
        h.append("</tr>\n");
        for (int c = 0; c < m.classTotal().length; c++) {
            int total = m.classTotal()[c];
            h.append("<tr><td>").append(esc(report.classNames().get(c))).append("</td><td>").append(total)
                    .append("</td>").append(cell(m.classCorrect()[c], total));
            for (AuditReport.Row r : worst) {
                h.append(cell(r.classRobust()[c], total));
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static String cell(int count, int total) {
        if (total == 0) {
            return "<td>-</td>";
        }
        double v = (double) count / total;
        int g = (int) Math.round(200 * v);
        return String.format(Locale.ROOT, "<td style=\"background: rgb(%d, %d, 120)\">%s</td>", 255 - g / 2, 80 + g / 1,
                Numbers.percent(v));
    }

    private static void gallery(StringBuilder h, AuditReport report, AuditReport.ModelResult m) {
        if (m.gallery().isEmpty()) {
            return;
        }
        AuditReport.GalleryItem first = m.gallery().get(0);
        h.append("<h3>Adversarial examples: ").append(esc(first.attack())).append(" at epsilon ")
                .append(Numbers.epsilon(first.epsilon())).append("</h3>\n<p class=\"small\">Each row: the test"
                        + " image, the perturbation (amplified to full contrast; grey is 0), the adversarial image, and"
                        + " the saliency of the test image (magnitude of the loss gradient: bright where a small change"
                        + " moves the loss most).</p>\n<div class=\"gallery\">\n");
        InputDomain domain = report.config().input().domain();
        for (AuditReport.GalleryItem g : m.gallery()) {
            float[] delta = new float[g.clean().length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = g.adversarial()[i] - g.clean()[i];
            }
            h.append("<figure><div>").append(img(image(g.clean(), g.shape(), domain.min(), domain.max()), "test image"))
                    .append(img(perturbation(delta, g.shape()), "perturbation"))
                    .append(img(image(g.adversarial(), g.shape(), domain.min(), domain.max()), "adversarial image"))
                    .append(img(saliency(g.saliency(), g.shape()), "saliency")).append("</div><figcaption>#")
                    .append(g.index()).append(": <b>").append(esc(name(report, g.cleanClass()))).append("</b> ")
                    .append(Numbers.percent(g.cleanConfidence())).append(" &rarr; <b class=\"bad\">")
                    .append(esc(name(report, g.adversarialClass()))).append("</b> ")
                    .append(Numbers.percent(g.adversarialConfidence())).append("</figcaption></figure>\n");
        }
        h.append("</div>\n");
    }

    private static String name(AuditReport report, int c) {
        return c < report.classNames().size() ? report.classNames().get(c) : String.valueOf(c);
    }

    private static String img(BufferedImage image, String alt) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "<img alt=\"" + alt + "\" title=\"" + alt + "\" width=\"" + IMAGE_PIXELS + "\" height=\"" + IMAGE_PIXELS
                + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">";
    }

    /** A [c, h, w] image in [lo, hi] as grey or RGB. */
    static BufferedImage image(float[] v, long[] shape, double lo, double hi) {
        return dev.rampart.core.report.Images.toImage(v, shape, lo, hi);
    }

    private static BufferedImage perturbation(float[] delta, long[] shape) {
        float max = 1e-12f;
        for (float d : delta) {
            max = Math.max(max, Math.abs(d));
        }
        return image(delta, shape, -max, max);
    }

    /** Saliency: the largest gradient magnitude over channels, black (low) through red to yellow (high). */
    private static BufferedImage saliency(float[] g, long[] shape) {
        int c = shape.length == 3 ? (int) shape[0] : 1;
        int ht = shape.length >= 2 ? (int) shape[shape.length - 2] : 1;
        int w = (int) shape[shape.length - 1];
        float[] s = new float[ht * w];
        float max = 1e-12f;
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < ht * w; i++) {
                s[i] = Math.max(s[i], g[k * ht * w + i]);
                max = Math.max(max, s[i]);
            }
        }
        BufferedImage out = new BufferedImage(w, ht, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < s.length; i++) {
            double v = Math.sqrt(s[i] / max); // square root: faint gradients stay visible
            int r = (int) Math.round(255 * Math.min(1, 2 * v));
            int gr = (int) Math.round(255 * Math.max(0, 2 * v - 1));
            out.setRGB(i % w, i / w, (r << 16) | (gr << 8));
        }
        return out;
    }


    private static String norm(AuditReport report) {
        return report.config().norm().name().equals("LINF") ? "L-inf" : "L2";
    }

    /** {@code s} escaped for HTML text or a quoted attribute; control characters are dropped. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1180px;
                   color: #222; padding: 0 1em; }
            h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
            h2 small { color: #777; font-weight: normal; font-size: 0.6em; }
            .lead { color: #444; max-width: 70em; }
            .row { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
            table { border-collapse: collapse; font-size: 0.88em; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
            th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
            tr.worst td { background: #fafafa; font-weight: 600; }
            table.small th { text-align: left; }
            .plot .grid { stroke: #e6e6e6; } .plot .axis { stroke: #999; }
            .plot .tick { font-size: 11px; fill: #555; } .plot .label { font-size: 12px; fill: #333; }
            .plot .legend { font-size: 12px; fill: #222; }
            .warning { background: #fff3cd; border: 1px solid #e0c46c; padding: 0.4em 0.8em; }
            ul.gates li.pass { color: #1a7f37; } ul.gates li.fail { color: #b42318; font-weight: 600; }
            .gallery { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; border: 1px solid #ddd; padding: 6px; background: #fafafa; }
            figure img { image-rendering: pixelated; margin-right: 3px; border: 1px solid #ccc; }
            figcaption { font-size: 0.85em; margin-top: 4px; } .bad { color: #b42318; }
            .small { font-size: 0.85em; color: #555; }
            """;
}
