package dev.rampart.core.model.onnx;

import java.util.List;

/**
 * One attribute of an ONNX node ({@code AttributeProto}): its name, its kind and the value of
 * that kind; the other fields are empty. Kinds Rampart does not use (sparse tensors, type
 * protos, lists of tensors or graphs) read as {@link Kind#OTHER}.
 *
 * <pre>{@code
 * long group = node.intAttr("group", 1);   // through OnnxNode's typed getters
 * }</pre>
 *
 * @param name the attribute's name
 * @param kind which value it holds
 * @param f a {@link Kind#FLOAT}
 * @param i an {@link Kind#INT}
 * @param s a {@link Kind#STRING}
 * @param t a {@link Kind#TENSOR}, or null
 * @param g a {@link Kind#GRAPH} (a subgraph of If, Loop, Scan), or null
 * @param floats {@link Kind#FLOATS}
 * @param ints {@link Kind#INTS}
 * @param strings {@link Kind#STRINGS}
 */
public record OnnxAttribute(String name, Kind kind, float f, long i, String s, OnnxTensor t, OnnxGraph g,
        float[] floats, long[] ints, List<String> strings) {

    /** The kinds of attribute value. */
    public enum Kind {
        FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS, OTHER
    }

    /** Reads an {@code AttributeProto} message. */
    static OnnxAttribute parse(Wire w, int depth) throws OnnxFormatException {
        String name = "";
        long type = -1;
        float f = 0;
        long i = 0;
        String s = "";
        OnnxTensor t = null;
        OnnxGraph g = null;
        Wire.LongList floats = new Wire.LongList();
        Wire.LongList ints = new Wire.LongList();
        List<String> strings = new java.util.ArrayList<>();
        boolean other = false;
        Kind seen = null; // the value field present, for files written without the type field
        while (w.more()) {
            int tag = w.tag();
            switch (tag >>> 3) {
                case 1 -> name = w.string();
                case 20 -> type = w.varint();
                case 2 -> {
                    w.expect(tag, Wire.FIXED32);
                    f = Float.intBitsToFloat(w.fixed32());
                    seen = Kind.FLOAT;
                }
                case 3 -> {
                    w.expect(tag, Wire.VARINT);
                    i = w.varint();
                    seen = Kind.INT;
                }
                case 4 -> {
                    s = w.string();
                    seen = Kind.STRING;
                }
                case 5 -> {
                    t = OnnxTensor.parse(w.message());
                    seen = Kind.TENSOR;
                }
                case 6 -> {
                    g = OnnxGraph.parse(w.message(), depth + 1);
                    seen = Kind.GRAPH;
                }
                case 7 -> {
                    w.fixed32s(tag, floats);
                    seen = Kind.FLOATS;
                }
                case 8 -> {
                    w.varints(tag, ints);
                    seen = Kind.INTS;
                }
                case 9 -> {
                    strings.add(w.string());
                    seen = Kind.STRINGS;
                }
                case 10, 11, 14, 15, 22, 23 -> {
                    other = true;
                    w.skip(tag);
                }
                default -> w.skip(tag);
            }
        }
        Kind kind = switch ((int) type) {
            case 1 -> Kind.FLOAT;
            case 2 -> Kind.INT;
            case 3 -> Kind.STRING;
            case 4 -> Kind.TENSOR;
            case 5 -> Kind.GRAPH;
            case 6 -> Kind.FLOATS;
            case 7 -> Kind.INTS;
            case 8 -> Kind.STRINGS;
            case -1, 0 -> seen != null ? seen : other ? Kind.OTHER : Kind.INTS; // an empty list has no field
            default -> Kind.OTHER;
        };
        float[] fs = new float[floats.size()];
        for (int k = 0; k < fs.length; k++) {
            fs[k] = Float.intBitsToFloat((int) floats.get(k));
        }
        return new OnnxAttribute(name, kind, f, i, s, t, g, fs, ints.toArray(), List.copyOf(strings));
    }
}
