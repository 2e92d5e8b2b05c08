package dev.rampart.core.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every model of ONNX 1.12's own test data (Debian's {@code libonnx-testdata}: the {@code node},
 * {@code pytorch-converted}, {@code pytorch-operator} and {@code simple} suites) whose operators
 * the translator supports, run on its first input (the other inputs bound as constants) and
 * compared with the expected output: relative 1e-4, absolute 1e-6. A model the translator refuses
 * must be refused with a named reason; none may fail or crash. The counts go to BENCHMARKS.md.
 */
class OnnxTranslatorConformanceTest {

    static final Path DATA = OnnxReaderConformanceTest.DATA;
    static final List<String> SUITES = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    /** Outcome of one test model. */
    record Outcome(String suite, String test, String result, String detail) {
    }

    static List<Outcome> runAll() throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (String suite : SUITES) {
            List<Path> dirs;
            try (Stream<Path> s = Files.list(DATA.resolve(suite))) {
                dirs = s.filter(d -> Files.isRegularFile(d.resolve("model.onnx"))).sorted().toList();
            }
            for (Path dir : dirs) {
                out.add(run(suite, dir));
            }
        }
        return out;
    }

    static Outcome run(String suite, Path dir) {
        String test = dir.getFileName().toString();
        OnnxModel m;
        try {
            m = OnnxReader.read(dir.resolve("model.onnx"));
        } catch (IOException e) {
            return new Outcome(suite, test, "refused", "read: " + e.getMessage());
        }
        for (String op : m.graph().opTypes()) {
            if (!OnnxTranslator.SUPPORTED.contains(op)) {
                return new Outcome(suite, test, "refused", "operator " + op);
            }
        }
        if (m.graph().outputs().size() != 1) {
            return new Outcome(suite, test, "refused", "several outputs");
        }
        Path data = dir.resolve("test_data_set_0");
        try {
            List<OnnxValueInfo> inputs = m.graph().dataInputs();
            if (inputs.isEmpty()) {
                return new Outcome(suite, test, "refused", "no data input");
            }
            OnnxTranslator.Translation t;
            Map<String, INDArray> bound = new HashMap<>();
            try {
                // translated once unbound to hear refusals before reading tensors Rampart does not hold
                OnnxTranslator.translate(m, Map.of(), null, null, true);
            } catch (OnnxUnsupportedException e) {
                if (!e.getMessage().contains("data inputs")) {
                    return new Outcome(suite, test, "refused", e.getMessage().replaceFirst("^.*? at opset \\d+: ", ""));
                }
            }
            if (inputs.stream().anyMatch(v -> v.elementType() == OnnxTensor.ElementType.STRING)) {
                return new Outcome(suite, test, "refused", "string and bfloat16 inputs and outputs are not supported");
            }
            for (int k = 1; k < inputs.size(); k++) {
                bound.put(inputs.get(k).name(), OnnxReader.readTensor(data.resolve("input_" + k + ".pb")).array());
            }
            INDArray x = OnnxReader.readTensor(data.resolve("input_0.pb")).array();
            if (x.isEmpty() || bound.values().stream().anyMatch(INDArray::isEmpty)) {
                return new Outcome(suite, test, "refused", "an empty input tensor");
            }
            INDArray expected = OnnxReader.readTensor(data.resolve("output_0.pb")).array();
            try {
                t = OnnxTranslator.translate(m, bound, null, null, true);
            } catch (OnnxUnsupportedException e) {
                return new Outcome(suite, test, "refused", e.getMessage().replaceFirst("^.*? at opset \\d+: ", ""));
            }
            INDArray y = t.program().logits(x);
            String problem = compare(y, expected);
            return problem == null ? new Outcome(suite, test, "passed", "")
                    : new Outcome(suite, test, "failed", problem);
        } catch (IOException | RuntimeException e) {
            return new Outcome(suite, test, "failed", e.toString());
        }
    }

    /** Null when {@code y} matches {@code expected}, else what differs. */
    static String compare(INDArray y, INDArray expected) {
        long[] ys = y.shape();
        long[] es = expected.shape();
        if (!Arrays.equals(ys, es) && !(y.length() == 1 && expected.length() == 1)) {
            return "shape " + Arrays.toString(ys) + ", expected " + Arrays.toString(es);
        }
        double[] a = y.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] b = expected.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        for (int i = 0; i < a.length; i++) {
            boolean same = a[i] == b[i] || (Double.isNaN(a[i]) && Double.isNaN(b[i]))
                    || Math.abs(a[i] - b[i]) <= 1e-4 * Math.abs(b[i]) + 1e-6;
            if (!same) {
                return "value " + i + " is " + a[i] + ", expected " + b[i];
            }
        }
        return null;
    }

    @Test
    void everySupportedTestModelMatchesOnnxsExpectedOutputs() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "libonnx-testdata is not installed (apt-get install"
                + " libonnx-testdata)");
        List<Outcome> all = runAll();
        Map<String, Integer> counts = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        for (Outcome o : all) {
            counts.merge(o.result(), 1, Integer::sum);
            if (o.result().equals("failed")) {
                failed.add(o.suite() + "/" + o.test() + ": " + o.detail());
            }
        }
        System.out.println("ONNX conformance: " + counts);
        assertEquals(List.of(), failed.subList(0, Math.min(30, failed.size())), failed.size() + " failed");
        assertTrue(counts.getOrDefault("passed", 0) >= 250, "passed: " + counts);
    }

    /**
     * The input gradient of every passed model with a floating-point input and output, against
     * central differences (step 1e-2, float32) at 8 seeded coordinates of the test input, for a
     * random linear objective of the output. Kinks (ReLU, max pooling, clip at the test's exact
     * zeros) can put a difference off where the gradient is right, so a few disagreements are
     * allowed, and listed; a wrong backward pass breaks dozens.
     */
    @Test
    void gradientsOfTheSupportedTestModelsMatchFiniteDifferences() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "libonnx-testdata is not installed");
        java.util.Random random = new java.util.Random(5);
        int checked = 0;
        List<String> disagree = new ArrayList<>();
        for (Outcome o : runAll()) {
            if (!o.result().equals("passed")) {
                continue;
            }
            Path dir = DATA.resolve(o.suite()).resolve(o.test());
            OnnxModel m = OnnxReader.read(dir.resolve("model.onnx"));
            List<OnnxValueInfo> inputs = m.graph().dataInputs();
            Map<String, INDArray> bound = new HashMap<>();
            for (int k = 1; k < inputs.size(); k++) {
                bound.put(inputs.get(k).name(), OnnxReader.readTensor(dir.resolve("test_data_set_0/input_" + k + ".pb"))
                        .array());
            }
            INDArray x = OnnxReader.readTensor(dir.resolve("test_data_set_0/input_0.pb")).array();
            var program = OnnxTranslator.translate(m, bound, null, null, true).program();
            INDArray out = program.logits(x);
            // some old PyTorch tests hold uninitialized memory (values near 1e200) as input
            if (!x.dataType().isFPType() || !out.dataType().isFPType() || out.isEmpty()
                    || x.amaxNumber().doubleValue() > 1e6) {
                continue;
            }
            INDArray r = org.nd4j.linalg.factory.Nd4j.rand(out.dataType(), out.shape()).subi(0.5);
            INDArray g = program.logitGradient(x, z -> new dev.rampart.core.loss.LogitObjective.Value(
                    z.mul(r).sum().reshape(1), r.dup())).gradient();
            checked++;
            for (int s = 0; s < Math.min(8, x.length()); s++) {
                long i = random.nextInt((int) x.length());
                double h = 1e-2;
                INDArray p = x.dup();
                p.putScalar(i, x.getDouble(i) + h);
                INDArray q = x.dup();
                q.putScalar(i, x.getDouble(i) - h);
                double numeric = (program.logits(p).castTo(DataType.DOUBLE).mul(r.castTo(DataType.DOUBLE)).sumNumber()
                        .doubleValue() - program.logits(q).castTo(DataType.DOUBLE).mul(r.castTo(DataType.DOUBLE))
                        .sumNumber().doubleValue()) / (2 * h);
                double analytic = g.getDouble(i);
                if (Math.abs(numeric - analytic) > 0.02 * (1e-2 + Math.abs(numeric) + Math.abs(analytic))) {
                    disagree.add(o.test() + " at " + i + ": " + analytic + " against " + numeric);
                    break;
                }
            }
        }
        System.out.println("ONNX gradients: " + checked + " models checked, disagreeing: " + disagree);
        assertTrue(checked >= 240, checked + " models checked");
        assertTrue(disagree.size() <= 3, disagree.toString());
    }

    /** Prints every outcome: {@code mvn exec} or the IDE, for the BENCHMARKS.md counts. */
    public static void main(String[] args) throws IOException {
        for (Outcome o : runAll()) {
            System.out.println(o.suite() + "\t" + o.test() + "\t" + o.result() + "\t" + o.detail());
        }
    }
}
