package dev.rampart.audit.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.audit.Numbers;
import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.report.Images;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import dev.rampart.defenses.poisoning.PoisonReport;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reports of {@code rampart sanitize} and {@code rampart vet}, as JSON (schema version
 * {@value #SCHEMA_VERSION}; a figure that was not measured is {@code null}) and as one
 * self-contained HTML file: per-class counts, the flagged examples as a gallery, the reversed
 * triggers, accuracy and attack success before and after.
 *
 * <pre>{@code
 * AtomicFiles.writeString(out.resolve("report.json"), BackdoorReports.json(sanitized));
 * AtomicFiles.writeString(out.resolve("report.html"), BackdoorReports.html(sanitized));
 * }</pre>
 */
public final class BackdoorReports {

    /** The version of both layouts; it changes whenever a field does. */
    public static final int SCHEMA_VERSION = 2;
    /** Flagged examples shown per class in the HTML gallery. */
    public static final int GALLERY_PER_CLASS = 40;
    private static final int IMAGE_PIXELS = 56;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BackdoorReports() {
    }

    /**
     * What a sanitization did.
     *
     * @param data the training set, in words
     * @param classNames a name per class
     * @param recipe the training recipe, in words
     * @param epochs training epochs of both models
     * @param seed the seed of training and detection
     * @param train the training set examined
     * @param detections every detector's report
     * @param removed the examples removed (the removing detectors flagged them: the joint verdict of
     *     the trusted detectors stands for theirs)
     * @param retrainedCounts per class, the examples the model was retrained on (more than kept where a
     *     depleted class was resampled to its trusted share)
     * @param test the clean test data, in words ({@code null}: none, no accuracy measured)
     * @param before the model trained on everything ({@code null} without test data)
     * @param after the model retrained without the removed examples ({@code null} without test data)
     * @param attackTest what attack success before and after was measured on, in words: a known
     *     trigger's inputs, or the reversed triggers of {@code scan} ({@code null}: none)
     * @param scan Neural Cleanse's scan of the first model ({@code null}: not run)
     * @param truth the examples known to be poisoned, for recall and precision ({@code null}: not
     *     known)
     * @param outputs the files written
     * @param seconds the time each stage took
     * @param provenance versions and backend
     */
    public record Sanitized(String data, List<String> classNames, String recipe, int epochs, long seed,
            LabeledData train, List<PoisonReport> detections, boolean[] removed, int[] retrainedCounts, String test,
            PoisoningEvaluation before, PoisoningEvaluation after, String attackTest, NeuralCleanse.Report scan,
            boolean[] truth, List<String> outputs, Map<String, Double> seconds, Provenance provenance) {
        public Sanitized {
            if (truth != null && truth.length != removed.length) {
                throw new IllegalArgumentException("truth must have one entry per training example (" + removed.length
                        + "), found " + truth.length);
            }
            truth = truth == null ? null : truth.clone();
            classNames = List.copyOf(classNames);
            detections = List.copyOf(detections);
            outputs = List.copyOf(outputs);
            seconds = Map.copyOf(seconds);
            retrainedCounts = retrainedCounts.clone();
        }

        @Override
        public int[] retrainedCounts() {
            return retrainedCounts.clone();
        }

        @Override
        public boolean[] truth() {
            return truth == null ? null : truth.clone();
        }

        /** Examples removed. */
        public int removedCount() {
            int n = 0;
            for (boolean b : removed) {
                n += b ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * A third-party model's vetting.
     *
     * @param model the model, in words
     * @param data the clean sample, in words
     * @param classNames a name per class
     * @param scan Neural Cleanse's scan
     * @param stripThreshold STRIP's entropy threshold, calibrated on the first half of the sample
     * @param stripCleanFlagged the share of the other half that STRIP flags
     * @param stripTriggeredFlagged per flagged class, the share of the other half, stamped with its
     *     reversed trigger, that STRIP flags (same order as the scan's flagged classes)
     * @param stripHeldOut the images of the other half
     * @param provenance versions and backend
     */
    public record Vetted(String model, String data, List<String> classNames, NeuralCleanse.Report scan,
            double stripThreshold, double stripCleanFlagged, double[] stripTriggeredFlagged, int stripHeldOut,
            Provenance provenance) {
        /**
         * A candidate of Neural Cleanse is a backdoor target when STRIP flags the images stamped with its
         * reversed trigger more often than the clean ones by more than this many standard errors.
         */
        public static final double CONFIRMATION_Z = 3;

        public Vetted {
            classNames = List.copyOf(classNames);
            stripTriggeredFlagged = stripTriggeredFlagged.clone();
        }

        /**
         * The backdoor targets: the classes Neural Cleanse flags whose reversed trigger STRIP confirms
         * (a real backdoor's trigger dominates what the image shows, so blending the image with others
         * leaves the prediction unchanged, which STRIP flags; a small trigger that Neural Cleanse finds
         * for a clean class does not).
         */
        public int[] targets() {
            int n = Math.max(1, stripHeldOut);
            long clean = Math.round(stripCleanFlagged * n);
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < scan.flagged().length; i++) {
                if (Metrics.excessZ(Math.round(stripTriggeredFlagged[i] * n), n, clean, n) > CONFIRMATION_Z) {
                    out.add(scan.flagged()[i]);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Whether any class was judged a backdoor target. */
        public boolean backdoored() {
            return targets().length > 0;
        }

        /** One line: the verdict and the classes. */
        public String verdict() {
            int[] targets = targets();
            if (targets.length == 0) {
                return scan.flagged().length == 0 ? "no backdoor found" : "no backdoor found (Neural Cleanse's"
                        + " candidate class " + names(scan.flagged()) + " is not confirmed by STRIP)";
            }
            return "BACKDOORED: class " + names(targets) + " is a backdoor target";
        }

        private String names(int[] classes) {
            List<String> names = new ArrayList<>();
            for (int c : classes) {
                names.add(name(classNames, c));
            }
            return String.join(", ", names);
        }
    }

    /** The sanitization as indented JSON. */
    public static String json(Sanitized s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "rampart sanitize");
        root.put("verdict", s.removedCount() == 0 ? "no poison found" : "poison found and removed");
        root.put("data", s.data());
        root.put("recipe", s.recipe());
        root.put("epochs", s.epochs());
        root.put("seed", s.seed());
        root.put("examples", s.removed().length);
        root.put("removedCount", s.removedCount());
        root.put("removed", PoisonReportJson.indices(s.removed()));
        root.put("classes", perClass(s));
        List<Object> detections = new ArrayList<>();
        for (PoisonReport r : s.detections()) {
            detections.add(PoisonReportJson.toMap(r, s.data(), false));
        }
        root.put("detections", detections);
        root.put("test", s.test());
        root.put("before", evaluation(s.before()));
        root.put("after", evaluation(s.after()));
        root.put("attackTest", s.attackTest());
        root.put("truth", truth(s));
        root.put("neuralCleanse", s.scan() == null ? null : scan(s.scan(), s.classNames()));
        root.put("outputs", s.outputs());
        Map<String, Object> seconds = new LinkedHashMap<>();
        s.seconds().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> seconds.put(e.getKey(), Numbers.round(e.getValue(), 1)));
        root.put("seconds", seconds);
        root.put("provenance", JsonReport.provenance(s.provenance()));
        return write(root);
    }

    /** The vetting as indented JSON. */
    public static String json(Vetted v) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("tool", "rampart vet");
        root.put("verdict", v.backdoored() ? "backdoored" : "no backdoor found");
        root.put("model", v.model());
        root.put("data", v.data());
        root.put("neuralCleanse", scan(v.scan(), v.classNames()));
        Map<String, Object> strip = new LinkedHashMap<>();
        strip.put("threshold", number(v.stripThreshold()));
        strip.put("cleanFlagged", number(v.stripCleanFlagged()));
        Map<String, Object> triggered = new LinkedHashMap<>();
        for (int i = 0; i < v.scan().flagged().length; i++) {
            triggered.put(String.valueOf(v.scan().flagged()[i]), number(v.stripTriggeredFlagged()[i]));
        }
        strip.put("triggeredFlagged", triggered);
        strip.put("heldOut", v.stripHeldOut());
        strip.put("confirmedTargets", java.util.Arrays.stream(v.targets()).boxed().toList());
        root.put("strip", strip);
        root.put("provenance", JsonReport.provenance(v.provenance()));
        return write(root);
    }

    /** The sanitization as one self-contained HTML page. */
    public static String html(Sanitized s) {
        StringBuilder h = head("Rampart sanitize: " + s.data());
        h.append("<p><b>").append(s.removedCount() == 0 ? "No poison found." : s.removedCount() + " of "
                + s.removed().length + " training examples removed.").append("</b> ").append(esc(s.data()))
                .append("; recipe ").append(esc(s.recipe())).append(", ").append(s.epochs()).append(" epochs, seed ")
                .append(s.seed()).append(".</p>\n");
        if (s.before() != null) {
            h.append("<h2>Before and after</h2>\n<table><tr><th></th><th>clean accuracy</th><th>attack success").append(
                    s.attackTest() == null ? "" : " (" + esc(s.attackTest()) + ")").append("</th></tr>\n");
            row(h, "trained on everything", s.before());
            row(h, "retrained without the removed examples", s.after());
            h.append("</table><p>Clean accuracy on ").append(esc(s.test())).append(".</p>\n");
        }
        if (s.truth() != null) {
            h.append("<h2>Against the known poison</h2>\n<table><tr><th></th><th>flagged</th><th>of them poisoned"
                    + "</th><th>recall</th><th>precision</th></tr>\n");
            for (Map<String, Object> m : scores(s)) {
                h.append("<tr><td>").append(esc(String.valueOf(m.get("detector")))).append("</td><td>")
                        .append(m.get("flagged")).append("</td><td>").append(m.get("truePositives")).append("</td><td>")
                        .append(m.get("recall") == null ? "-" : Numbers.percent((Double) m.get("recall")))
                        .append("</td><td>").append(m.get("precision") == null ? "-"
                                : Numbers.percent((Double) m.get("precision"))).append("</td></tr>\n");
            }
            h.append("</table><p>").append(count(s.truth())).append(" examples known to be poisoned.</p>\n");
        }
        h.append("<h2>Per class</h2>\n<table><tr><th>class</th><th>examples</th>");
        for (PoisonReport r : s.detections()) {
            h.append("<th>").append(esc(r.detector())).append("</th>");
        }
        h.append("<th>removed</th><th>retrained on</th></tr>\n");
        for (Map<String, Object> c : perClass(s)) {
            int label = (Integer) c.get("class");
            h.append("<tr><td>").append(esc(name(s.classNames(), label))).append("</td><td>").append(c.get("examples"))
                    .append("</td>");
            for (PoisonReport r : s.detections()) {
                PoisonReport.ClassSummary cs = r.classes().get(label);
                h.append("<td>").append(cs.flagged()).append(cs.suspicious() ? " (suspicious)" : "").append("</td>");
            }
            h.append("<td>").append(c.get("removed")).append("</td><td>").append(c.get("retrainedOn"))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (s.scan() != null) {
            triggers(h, s.scan(), s.classNames());
        }
        gallery(h, s);
        h.append("<h2>How this report was made</h2>\n<p>").append(esc(String.valueOf(s.provenance())))
                .append("</p>\n</body></html>\n");
        return h.toString();
    }

    /** The vetting as one self-contained HTML page. */
    public static String html(Vetted v) {
        StringBuilder h = head("Rampart vet: " + v.model());
        h.append("<p><b>").append(esc(v.verdict())).append("</b> (").append(esc(v.model())).append(", clean sample ")
                .append(esc(v.data())).append(").</p>\n");
        h.append(String.format(Locale.ROOT, "<p>STRIP, calibrated on half the sample: threshold %.4f, flags %s of the"
                + " other half.</p>%n", v.stripThreshold(), Numbers.percent(v.stripCleanFlagged())));
        triggers(h, v.scan(), v.classNames());
        h.append("</body></html>\n");
        return h.toString();
    }

    private static List<Map<String, Object>> perClass(Sanitized s) {
        int k = s.train().numClasses();
        int[] examples = new int[k];
        int[] removed = new int[k];
        int[] y = s.train().labels();
        for (int i = 0; i < y.length; i++) {
            examples[y[i]]++;
            removed[y[i]] += s.removed()[i] ? 1 : 0;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class", c);
            m.put("name", name(s.classNames(), c));
            m.put("examples", examples[c]);
            m.put("removed", removed[c]);
            m.put("retrainedOn", s.retrainedCounts()[c]);
            out.add(m);
        }
        return out;
    }

    /** Recall and precision against the known poison: the removal's, then every detector's. */
    private static Map<String, Object> truth(Sanitized s) {
        if (s.truth() == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("poisoned", count(s.truth()));
        m.put("scores", scores(s));
        return m;
    }

    private static List<Map<String, Object>> scores(Sanitized s) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(score("removed", s.removed(), s.truth()));
        for (PoisonReport r : s.detections()) {
            out.add(score(r.detector(), r.flagged(), s.truth()));
        }
        return out;
    }

    private static Map<String, Object> score(String what, boolean[] flagged, boolean[] truth) {
        PoisonReport.Score sc = PoisonReport.Score.of(flagged, truth);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detector", what);
        m.put("flagged", sc.flagged());
        m.put("truePositives", sc.truePositives());
        m.put("recall", sc.poisoned() == 0 ? null : number(sc.recall()));
        m.put("precision", sc.flagged() == 0 ? null : number(sc.precision()));
        return m;
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }

    private static Map<String, Object> evaluation(PoisoningEvaluation e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cleanAccuracy", number(e.cleanAccuracy()));
        m.put("attackSuccess", number(e.attackSuccessRate()));
        return m;
    }

    private static Map<String, Object> scan(NeuralCleanse.Report r, List<String> names) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", Records.toMap(r.config()));
        List<Integer> flagged = new ArrayList<>();
        for (int c : r.flagged()) {
            flagged.add(c);
        }
        m.put("flagged", flagged);
        List<Object> classes = new ArrayList<>();
        for (NeuralCleanse.Trigger t : r.triggers()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class", t.label());
            c.put("name", name(names, t.label()));
            c.put("anomalyIndex", number(r.anomalyIndex()[t.label()]));
            c.put("maskL1", number(t.maskL1()));
            c.put("reversedTriggerSuccess", number(t.attackSuccess()));
            classes.add(c);
        }
        m.put("classes", classes);
        return m;
    }

    private static void triggers(StringBuilder h, NeuralCleanse.Report scan, List<String> names) {
        h.append("<h2>Reversed triggers (Neural Cleanse)</h2>\n<p>The smallest mask and pattern that send clean"
                + " images to each class; a backdoor target's is much smaller than the others' (anomaly index above "
                + Numbers.epsilon(scan.config().anomalyThreshold()) + ": a candidate, which STRIP confirms or"
                + " not).</p>\n<table><tr><th>class</th><th>anomaly"
                + " index</th><th>mask L1</th><th>success</th><th>mask</th><th>mask &times; pattern</th></tr>\n");
        for (NeuralCleanse.Trigger t : scan.triggers()) {
            boolean target = java.util.Arrays.stream(scan.flagged()).anyMatch(c -> c == t.label());
            INDArray m = t.mask().castTo(t.pattern().dataType());
            INDArray shown = t.pattern().mul(t.pattern().size(0) == 1 ? m : m.repeat(0, t.pattern().size(0)));
            h.append(String.format(Locale.ROOT, "<tr%s><td>%s</td><td>%.2f</td><td>%.1f</td><td>%s</td><td>%s</td>"
                    + "<td>%s</td></tr>%n", target ? " class=\"bad\"" : "", esc(name(names, t.label())),
                    scan.anomalyIndex()[t.label()], t.maskL1(), Numbers.percent(t.attackSuccess()),
                    img(t.mask(), 0, 1, "mask of class " + t.label()),
                    img(shown, 0, 1, "trigger of class " + t.label())));
        }
        h.append("</table>\n");
    }

    private static void gallery(StringBuilder h, Sanitized s) {
        if (s.removedCount() == 0) {
            return;
        }
        h.append("<h2>Removed examples</h2>\n<p>Up to ").append(GALLERY_PER_CLASS).append(" per class, with their"
                + " index in the training set.</p>\n");
        int[] y = s.train().labels();
        for (int c = 0; c < s.train().numClasses(); c++) {
            int shown = 0;
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < y.length && shown < GALLERY_PER_CLASS; i++) {
                if (y[i] == c && s.removed()[i]) {
                    row.append(img(s.train().features().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)), 0, 1,
                            "example " + i));
                    shown++;
                }
            }
            if (shown > 0) {
                h.append("<h3>").append(esc(name(s.classNames(), c))).append("</h3>\n<div>").append(row).append(
                        "</div>\n");
            }
        }
    }

    private static void row(StringBuilder h, String what, PoisoningEvaluation e) {
        h.append("<tr><td>").append(what).append("</td><td>").append(Numbers.percent(e.cleanAccuracy()))
                .append("</td><td>").append(Numbers.percent(e.attackSuccessRate())).append("</td></tr>\n");
    }

    private static StringBuilder head(String title) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append(
                "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}tr.bad{background:#fdd}"
                + "img{image-rendering:pixelated;margin:1px}</style></head><body>\n<h1>").append(esc(title))
                .append("</h1>\n");
        return h;
    }

    private static String img(INDArray example, double lo, double hi, String alt) {
        INDArray e = example.castTo(DataType.FLOAT).dup('c');
        BufferedImage image = Images.toImage(e.data().asFloat(), e.shape(), lo, hi);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return "<img alt=\"" + esc(alt) + "\" title=\"" + esc(alt) + "\" width=\"" + IMAGE_PIXELS + "\" height=\""
                + IMAGE_PIXELS + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray())
                + "\">";
    }

    private static String name(List<String> names, int c) {
        return c < names.size() ? names.get(c) : String.valueOf(c);
    }

    private static String esc(String s) {
        return HtmlReport.esc(s == null ? "" : s);
    }

    private static Object number(double v) {
        return Double.isFinite(v) ? Numbers.round(v, 6) : null;
    }

    private static String write(Map<String, Object> root) {
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }
}
