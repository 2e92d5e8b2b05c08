package dev.rampart.core.model.onnx;

import java.util.Map;

/**
 * An ONNX model file as read ({@code ModelProto}): its IR version, producer, the operator-set
 * versions it imports, and its graph. {@link OnnxReader} reads it; nothing here runs it.
 *
 * <pre>{@code
 * OnnxModel m = OnnxReader.read(Path.of("model.onnx"));
 * m.opset();                 // 13: the default domain's version
 * m.graph().opTypes();       // [Conv, Relu, MaxPool, Flatten, Gemm]
 * }</pre>
 *
 * @param source where it was read from, for messages
 * @param irVersion the file format's version
 * @param producer the exporter's name and version, such as {@code pytorch 1.13.1}
 * @param opsets operator-set version by domain (the default domain under {@code ""})
 * @param graph the main graph
 */
public record OnnxModel(String source, long irVersion, String producer, Map<String, Long> opsets, OnnxGraph graph) {

    /** The default ({@code ai.onnx}) operator set's version; 1 if the file imports none. */
    public long opset() {
        Long v = opsets.get("");
        return v != null ? v : opsets.getOrDefault("ai.onnx", 1L);
    }
}
