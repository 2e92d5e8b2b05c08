package dev.rampart.core.model.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator of an ONNX graph ({@code NodeProto}): its op type and domain, the names of its input
 * and output values (an empty input name is an omitted optional input) and its attributes, with
 * typed getters that name the node when an attribute has the wrong kind.
 *
 * <pre>{@code
 * long[] strides = node.intsAttr("strides", new long[] {1, 1});
 * float alpha = node.floatAttr("alpha", 1f);
 * }</pre>
 *
 * @param name the node's name (may be empty)
 * @param opType the operator, such as {@code Conv}
 * @param domain the operator set's domain, empty for the default ({@code ai.onnx})
 * @param inputs input value names, in order
 * @param outputs output value names, in order
 * @param attributes by name
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
        Map<String, OnnxAttribute> attributes) {

    static OnnxNode parse(Wire w, int depth) throws OnnxFormatException {
        String name = "";
        String op = "";
        String domain = "";
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        Map<String, OnnxAttribute> attrs = new LinkedHashMap<>();
        while (w.more()) {
            int tag = w.tag();
            switch (tag >>> 3) {
                case 1 -> in.add(w.string());
                case 2 -> out.add(w.string());
                case 3 -> name = w.string();
                case 4 -> op = w.string();
                case 7 -> domain = w.string();
                case 5 -> {
                    OnnxAttribute a = OnnxAttribute.parse(w.message(), depth);
                    attrs.put(a.name(), a);
                }
                default -> w.skip(tag);
            }
        }
        if (op.isEmpty()) {
            throw w.error("node '" + name + "' has no op type");
        }
        return new OnnxNode(name, op, domain, List.copyOf(in), List.copyOf(out), java.util.Collections.unmodifiableMap(attrs));
    }

    /** {@code node 'name' (OpType)}, or the first output's name for an unnamed node. */
    public String describe() {
        String who = name.isEmpty() ? (outputs.isEmpty() ? "?" : "producing '" + outputs.get(0) + "'") : "'" + name + "'";
        return "node " + who + " (" + (domain.isEmpty() || domain.equals("ai.onnx") ? "" : domain + ".") + opType + ")";
    }

    /** Whether the attribute is present. */
    public boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    /** An {@code INT} attribute, or {@code otherwise} if absent. */
    public long intAttr(String attribute, long otherwise) throws OnnxFormatException {
        OnnxAttribute a = get(attribute, OnnxAttribute.Kind.INT);
        return a == null ? otherwise : a.i();
    }

    /** A {@code FLOAT} attribute, or {@code otherwise} if absent. */
    public float floatAttr(String attribute, float otherwise) throws OnnxFormatException {
        OnnxAttribute a = get(attribute, OnnxAttribute.Kind.FLOAT);
        return a == null ? otherwise : a.f();
    }

    /** A {@code STRING} attribute, or {@code otherwise} if absent. */
    public String stringAttr(String attribute, String otherwise) throws OnnxFormatException {
        OnnxAttribute a = get(attribute, OnnxAttribute.Kind.STRING);
        return a == null ? otherwise : a.s();
    }

    /** An {@code INTS} attribute (a copy), or {@code otherwise} if absent. */
    public long[] intsAttr(String attribute, long[] otherwise) throws OnnxFormatException {
        OnnxAttribute a = get(attribute, OnnxAttribute.Kind.INTS);
        return a == null ? otherwise : a.ints().clone();
    }

    /** A {@code FLOATS} attribute (a copy), or {@code otherwise} if absent. */
    public float[] floatsAttr(String attribute, float[] otherwise) throws OnnxFormatException {
        OnnxAttribute a = get(attribute, OnnxAttribute.Kind.FLOATS);
        return a == null ? otherwise : a.floats().clone();
    }

    /** A {@code TENSOR} attribute, or null if absent. */
    public OnnxTensor tensorAttr(String attribute) throws OnnxFormatException {
        OnnxAttribute a = get(attribute, OnnxAttribute.Kind.TENSOR);
        return a == null ? null : a.t();
    }

    private OnnxAttribute get(String attribute, OnnxAttribute.Kind kind) throws OnnxFormatException {
        OnnxAttribute a = attributes.get(attribute);
        if (a != null && a.kind() != kind && !(a.kind() == OnnxAttribute.Kind.INTS && kind == OnnxAttribute.Kind.FLOATS
                && a.ints().length == 0)) {
            throw new OnnxFormatException(describe(), "attribute '" + attribute + "' is " + a.kind() + ", expected "
                    + kind);
        }
        return a;
    }

    @Override
    public String toString() {
        return describe() + " " + inputs + " -> " + outputs + (attributes.isEmpty() ? "" : " " + Arrays.toString(
                attributes.keySet().toArray()));
    }
}
