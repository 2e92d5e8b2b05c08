package dev.rampart.core.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every model and tensor of ONNX 1.12's own test data (Debian's {@code libonnx-testdata}, which
 * {@code .ci/run} installs) read by Rampart's reader and compared with what ONNX's Python reader
 * found in the same files ({@code scripts/onnx-testdata-golden.py}): IR and opset versions, node,
 * initializer and input counts, op types; each tensor's type, shape, value count, sum, sum of
 * magnitudes and first value.
 */
class OnnxReaderConformanceTest {

    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");

    @Test
    void readsEveryTestModelAndTensorAsOnnxDoes() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "libonnx-testdata is not installed (apt-get install"
                + " libonnx-testdata)");
        int models = 0;
        int tensors = 0;
        int refused = 0;
        List<String> failures = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                getClass().getResourceAsStream("/onnx/testdata-golden.tsv.gz")), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t", -1);
                try {
                    if (f[0].equals("M")) {
                        models++;
                        checkModel(f);
                    } else {
                        tensors++;
                        refused += checkTensor(f) ? 0 : 1;
                    }
                } catch (IOException | AssertionError | RuntimeException e) {
                    failures.add(f[1] + ": " + e);
                }
            }
        }
        assertTrue(models > 1000 && tensors > 3000, models + " models, " + tensors + " tensors");
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " failures");
        // strings and complex numbers are refused by name, nothing else
        assertTrue(refused <= 40, refused + " tensors refused");
    }

    private static void checkModel(String[] f) throws IOException {
        OnnxModel m = OnnxReader.read(DATA.resolve(f[1]));
        assertEquals(Long.parseLong(f[2]), m.irVersion(), "IR version");
        assertEquals(Long.parseLong(f[3]), m.opset(), "opset");
        assertEquals(Integer.parseInt(f[4]), m.graph().nodes().size(), "nodes");
        assertEquals(Integer.parseInt(f[5]), m.graph().initializers().size(), "initializers");
        assertEquals(f[6], String.join(",", m.graph().dataInputs().stream().map(OnnxValueInfo::name).toList())
                .transform(s -> s.isEmpty() ? "-" : s), "data inputs");
        assertEquals(f[7], String.join(",", m.graph().opTypes()).transform(s -> s.isEmpty() ? "-" : s), "op types");
    }

    /** @return false if the tensor was refused (by name, as it must be) */
    private static boolean checkTensor(String[] f) throws IOException {
        OnnxTensor t = OnnxReader.readTensor(DATA.resolve(f[1]));
        assertEquals(Integer.parseInt(f[2]), t.elementType().ordinal(), "element type");
        long[] dims = f[3].equals("-") ? new long[0] : Arrays.stream(f[3].split(",")).mapToLong(Long::parseLong).toArray();
        assertTrue(Arrays.equals(dims, t.shape()), Arrays.toString(t.shape()) + " against " + f[3]);
        if (f[4].equals("-")) {
            try {
                t.array();
                fail("a " + t.elementType() + " tensor must be refused");
            } catch (OnnxFormatException e) {
                assertTrue(e.getMessage().contains("tensor '"), e.getMessage());
            }
            return false;
        }
        INDArray a = t.array();
        assertTrue(Arrays.equals(dims, a.shape()), "array shape " + Arrays.toString(a.shape()));
        long n = Long.parseLong(f[4]);
        assertEquals(n, a.length(), "values");
        double[] v = n == 0 ? new double[0] : a.castTo(DataType.DOUBLE).data().asDouble();
        double sum = 0;
        double abs = 0;
        for (double x : v) {
            if (Double.isFinite(x)) {
                sum += x;
                abs += Math.abs(x);
            }
        }
        double tol = 1e-9 * Math.max(1, Double.parseDouble(f[6]));
        assertEquals(Double.parseDouble(f[5]), sum, tol, "sum");
        assertEquals(Double.parseDouble(f[6]), abs, tol, "sum of magnitudes");
        if (n > 0) {
            double first = switch (f[7]) { // Python writes nan, inf, -inf
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(f[7]);
            };
            assertTrue(Double.compare(first, v[0]) == 0 || Math.abs(first - v[0]) <= 1e-12 * Math.abs(first),
                    "first value " + v[0] + " against " + f[7]);
        }
        return true;
    }
}
