package dev.rampart.core.model.onnx;

import dev.rampart.core.io.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads ONNX files (Bai, Lu, Zhang et al., the Open Neural Network Exchange format) without a
 * protobuf dependency: a model ({@code .onnx}) into an {@link OnnxModel}, or one serialized
 * {@code TensorProto} ({@code .pb}, ONNX's test data) into an {@link OnnxTensor}. Everything is
 * checked against the file's length; a truncated, empty or foreign file is an
 * {@link OnnxFormatException} naming the file and the byte where reading failed. Files of 2 GB
 * and more (external data) are refused.
 *
 * <pre>{@code
 * OnnxModel m = OnnxReader.read(Path.of("resnet.onnx"));
 * INDArray w = m.graph().initializers().get("conv1.weight").array();
 * }</pre>
 */
public final class OnnxReader {

    private OnnxReader() {
    }

    /** Reads an ONNX model file. */
    public static OnnxModel read(Path file) throws IOException {
        byte[] b = bytes(file);
        String src = file.toString();
        Wire w = new Wire(b, 0, b.length, src);
        long ir = 0;
        String producer = "";
        String version = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        OnnxGraph graph = null;
        while (w.more()) {
            int tag = w.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    w.expect(tag, Wire.VARINT);
                    ir = w.varint();
                }
                case 2 -> producer = w.string();
                case 3 -> version = w.string();
                case 7 -> graph = OnnxGraph.parse(w.message(), 0);
                case 8 -> {
                    Wire o = w.message();
                    String domain = "";
                    long v = 0;
                    while (o.more()) {
                        int t = o.tag();
                        if (t >>> 3 == 1) {
                            domain = o.string();
                        } else if (t >>> 3 == 2) {
                            v = o.varint();
                        } else {
                            o.skip(t);
                        }
                    }
                    opsets.put(domain, v);
                }
                default -> w.skip(tag);
            }
        }
        if (ir <= 0 || graph == null) {
            throw new OnnxFormatException(src, "not an ONNX model (" + (ir <= 0 ? "no IR version" : "no graph") + ")");
        }
        return new OnnxModel(src, ir, (producer + " " + version).trim(), java.util.Collections.unmodifiableMap(opsets),
                graph);
    }

    /** Reads one serialized tensor ({@code TensorProto}), such as ONNX's test inputs and outputs. */
    public static OnnxTensor readTensor(Path file) throws IOException {
        byte[] b = bytes(file);
        OnnxTensor t = OnnxTensor.parse(new Wire(b, 0, b.length, file.toString()));
        if (t.elementType() == OnnxTensor.ElementType.UNDEFINED) {
            throw new OnnxFormatException(file.toString(), "not an ONNX tensor (no element type)");
        }
        return t;
    }

    private static byte[] bytes(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        String src = file.toString();
        try {
            if (Files.isDirectory(file)) {
                throw new OnnxFormatException(src, "is a directory, not an ONNX file");
            }
            long size = Files.size(file);
            if (size == 0) {
                throw new OnnxFormatException(src, "empty file, not an ONNX file");
            }
            if (size >= Integer.MAX_VALUE) {
                throw new OnnxFormatException(src, size + " bytes: files of 2 GB and more are not read");
            }
            return Files.readAllBytes(file);
        } catch (OnnxFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new OnnxFormatException(src, "cannot read: " + IoErrors.reason(e));
        }
    }
}
