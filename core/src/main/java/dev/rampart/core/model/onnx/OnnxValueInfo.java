package dev.rampart.core.model.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * A graph input, output or intermediate value as declared in an ONNX file ({@code ValueInfoProto}):
 * its name, element type and shape, where a dimension without a fixed size (a batch dimension
 * such as {@code "N"}, or none given) is {@code -1} and keeps its symbolic name.
 *
 * <pre>{@code
 * OnnxValueInfo in = model.graph().dataInputs().get(0);
 * in.shape();   // [-1, 1, 28, 28]
 * }</pre>
 *
 * @param name the value's name
 * @param tensor whether it is a tensor (not a sequence, map or optional value)
 * @param elementType its element type ({@code UNDEFINED} if not a tensor)
 * @param shape its dimensions, {@code -1} where not fixed; empty and {@code shapeKnown} false when no shape is given
 * @param dimNames per dimension, its symbolic name or the empty string
 * @param shapeKnown whether the file gives a shape at all
 */
public record OnnxValueInfo(String name, boolean tensor, OnnxTensor.ElementType elementType, long[] shape,
        List<String> dimNames, boolean shapeKnown) {

    static OnnxValueInfo parse(Wire w) throws OnnxFormatException {
        String name = "";
        Builder b = new Builder();
        while (w.more()) {
            int tag = w.tag();
            if (tag >>> 3 == 1) {
                name = w.string();
            } else if (tag >>> 3 == 2) {
                typeProto(w.message(), b);
            } else {
                w.skip(tag);
            }
        }
        return new OnnxValueInfo(name, b.tensor, b.type, b.dims.stream().mapToLong(Long::longValue).toArray(),
                List.copyOf(b.names), b.shapeKnown);
    }

    /** What a {@code TypeProto} says of a value. */
    private static final class Builder {
        boolean tensor;
        OnnxTensor.ElementType type = OnnxTensor.ElementType.UNDEFINED;
        final List<Long> dims = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        boolean shapeKnown;
    }

    /** {@code TypeProto}: only its tensor type (field 1) is read; sequences and maps stay non-tensors. */
    private static void typeProto(Wire tp, Builder b) throws OnnxFormatException {
        while (tp.more()) {
            int t = tp.tag();
            if (t >>> 3 != 1) {
                tp.skip(t);
                continue;
            }
            b.tensor = true;
            Wire tt = tp.message(); // TypeProto.Tensor: elem_type, shape
            while (tt.more()) {
                int u = tt.tag();
                if (u >>> 3 == 1) {
                    b.type = OnnxTensor.ElementType.of(tt.varint());
                } else if (u >>> 3 == 2) {
                    b.shapeKnown = true;
                    shape(tt.message(), b);
                } else {
                    tt.skip(u);
                }
            }
        }
    }

    /** {@code TensorShapeProto}: each dimension's fixed size ({@code -1} if none) and symbolic name. */
    private static void shape(Wire sh, Builder b) throws OnnxFormatException {
        while (sh.more()) {
            int v = sh.tag();
            if (v >>> 3 != 1) {
                sh.skip(v);
                continue;
            }
            Wire dim = sh.message();
            long size = -1;
            String param = "";
            while (dim.more()) {
                int x = dim.tag();
                if (x >>> 3 == 1) {
                    size = dim.varint();
                } else if (x >>> 3 == 2) {
                    param = dim.string();
                } else {
                    dim.skip(x);
                }
            }
            b.dims.add(size);
            b.names.add(param);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return "'" + name + "' " + elementType + " " + java.util.Arrays.toString(shape);
    }
}
