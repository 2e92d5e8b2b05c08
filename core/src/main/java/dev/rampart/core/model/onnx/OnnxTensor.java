package dev.rampart.core.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor stored in an ONNX file (an initializer, a {@code Constant}'s value, or a test
 * input/output {@code .pb}): its name, element type and shape as read, with its values decoded
 * to an ND4J array only when asked ({@link #array()}), so that a graph whose unused tensors hold
 * strings still reads. 16-bit floats (IEEE half and bfloat16) decode to 32-bit floats, unsigned
 * integers to the next wider signed type; strings, complex numbers and external data are refused
 * by name.
 *
 * <pre>{@code
 * OnnxTensor t = OnnxReader.readTensor(Path.of("test_data_set_0/input_0.pb"));
 * INDArray x = t.array();   // FLOAT [1, 3, 32, 32]
 * }</pre>
 */
public final class OnnxTensor {

    /** ONNX's element types, by their code in {@code TensorProto.DataType}. */
    public enum ElementType {
        UNDEFINED, FLOAT, UINT8, INT8, UINT16, INT16, INT32, INT64, STRING, BOOL, FLOAT16, DOUBLE, UINT32, UINT64,
        COMPLEX64, COMPLEX128, BFLOAT16;

        /** The type of code {@code code}, or {@link #UNDEFINED} for a code this ONNX reader does not know. */
        public static ElementType of(long code) {
            return code >= 0 && code < values().length ? values()[(int) code] : UNDEFINED;
        }
    }

    private final String name;
    private final ElementType type;
    private final long[] dims;
    private final byte[] raw;
    private final Wire.LongList typed;
    private final boolean external;
    private final boolean strings;

    private OnnxTensor(String name, ElementType type, long[] dims, byte[] raw, Wire.LongList typed, boolean external,
            boolean strings) {
        this.name = name;
        this.type = type;
        this.dims = dims;
        this.raw = raw;
        this.typed = typed;
        this.external = external;
        this.strings = strings;
    }

    /** Reads a {@code TensorProto} message. */
    static OnnxTensor parse(Wire w) throws OnnxFormatException {
        Wire.LongList dims = new Wire.LongList();
        Wire.LongList typed = new Wire.LongList();
        String name = "";
        long type = 0;
        byte[] raw = null;
        boolean external = false;
        boolean strings = false;
        while (w.more()) {
            int tag = w.tag();
            switch (tag >>> 3) {
                case 1 -> w.varints(tag, dims);
                case 2 -> type = w.varint();
                case 4 -> w.fixed32s(tag, typed);
                case 5, 7, 11 -> w.varints(tag, typed);
                case 10 -> w.fixed64s(tag, typed);
                case 6 -> {
                    strings = true;
                    w.skip(tag);
                }
                case 8 -> name = w.string();
                case 9 -> raw = w.bytes();
                case 13 -> {
                    external = true;
                    w.skip(tag);
                }
                case 14 -> external |= w.varint() == 1;
                default -> w.skip(tag);
            }
        }
        return new OnnxTensor(name, ElementType.of(type), dims.toArray(), raw, typed, external, strings);
    }

    /** The tensor's name (empty for an unnamed test tensor). */
    public String name() {
        return name;
    }

    /** The element type as stored. */
    public ElementType elementType() {
        return type;
    }

    /** The shape as stored ({@code []} for a scalar). */
    public long[] shape() {
        return dims.clone();
    }

    /**
     * The values as a new ND4J array of the stored shape.
     *
     * @throws OnnxFormatException naming the tensor if its type is not read, its data lies in an
     *     external file, or its value count disagrees with its shape
     */
    public INDArray array() throws OnnxFormatException {
        String who = "tensor '" + name + "'";
        if (external) {
            throw new OnnxFormatException(who, "its data lies in an external file, which Rampart does not read"
                    + " (save the model with its weights inside)");
        }
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new OnnxFormatException(who, "negative dimension in shape " + Arrays.toString(dims));
            }
            count = d == 0 || count <= Long.MAX_VALUE / d ? count * d : Long.MAX_VALUE;
        }
        if (count > Integer.MAX_VALUE) {
            throw new OnnxFormatException(who, "shape " + Arrays.toString(dims)
                    + " holds more values than an array can take");
        }
        int n = (int) count;
        return switch (type) {
            case FLOAT, FLOAT16, BFLOAT16 -> floats(who, n);
            case DOUBLE -> {
                double[] v = new double[n];
                if (raw != null) {
                    ByteBuffer bb = rawOf(who, n, 8);
                    for (int i = 0; i < n; i++) {
                        v[i] = bb.getDouble();
                    }
                } else {
                    typedOf(who, n);
                    for (int i = 0; i < n; i++) {
                        v[i] = Double.longBitsToDouble(typed.get(i));
                    }
                }
                yield shaped(Nd4j.createFromArray(v));
            }
            case INT64, UINT32, UINT64, INT32, INT16, INT8, UINT8, UINT16, BOOL -> integers(who, n);
            case STRING -> throw new OnnxFormatException(who, "holds strings, which Rampart does not read");
            default -> throw new OnnxFormatException(who, "has element type " + type + (strings ? " (strings)" : "")
                    + ", which Rampart does not read");
        };
    }

    private INDArray floats(String who, int n) throws OnnxFormatException {
        float[] v = new float[n];
        if (type == ElementType.FLOAT) {
            if (raw != null) {
                ByteBuffer bb = rawOf(who, n, 4);
                for (int i = 0; i < n; i++) {
                    v[i] = bb.getFloat();
                }
            } else {
                typedOf(who, n);
                for (int i = 0; i < n; i++) {
                    v[i] = Float.intBitsToFloat((int) typed.get(i));
                }
            }
        } else {
            // 16-bit floats: raw little-endian halves, or one value per int32_data entry
            ByteBuffer bb = raw != null ? rawOf(who, n, 2) : null;
            if (bb == null) {
                typedOf(who, n);
            }
            for (int i = 0; i < n; i++) {
                int bits = bb != null ? bb.getShort() & 0xffff : (int) typed.get(i) & 0xffff;
                v[i] = type == ElementType.BFLOAT16 ? Float.intBitsToFloat(bits << 16) : half(bits);
            }
        }
        return shaped(Nd4j.createFromArray(v));
    }

    private INDArray integers(String who, int n) throws OnnxFormatException {
        int width = switch (type) {
            case INT64, UINT64 -> 8;
            case INT32, UINT32 -> 4;
            case INT16, UINT16 -> 2;
            default -> 1;
        };
        long[] v = new long[n];
        if (raw != null) {
            ByteBuffer bb = rawOf(who, n, width);
            for (int i = 0; i < n; i++) {
                v[i] = switch (width) {
                    case 8 -> bb.getLong();
                    case 4 -> type == ElementType.UINT32 ? bb.getInt() & 0xffffffffL : bb.getInt();
                    case 2 -> type == ElementType.UINT16 ? bb.getShort() & 0xffff : bb.getShort();
                    default -> type == ElementType.INT8 ? bb.get() : bb.get() & 0xff;
                };
            }
        } else {
            typedOf(who, n);
            for (int i = 0; i < n; i++) {
                long x = typed.get(i);
                // int32_data holds narrower types as (sign-extended) varints
                v[i] = switch (type) {
                    case INT64, UINT64 -> x;
                    case UINT32 -> x & 0xffffffffL;
                    case UINT16 -> x & 0xffff;
                    case UINT8, BOOL -> x & 0xff;
                    default -> (int) x;
                };
            }
        }
        if (type == ElementType.UINT64) {
            for (long x : v) {
                if (x < 0) {
                    throw new OnnxFormatException(who, "holds an unsigned 64-bit value above 2^63 - 1");
                }
            }
        }
        if (type == ElementType.BOOL) {
            boolean[] z = new boolean[n];
            for (int i = 0; i < n; i++) {
                z[i] = v[i] != 0;
            }
            return shaped(Nd4j.createFromArray(z));
        }
        INDArray a = Nd4j.createFromArray(v);
        return shaped(switch (type) {
            case INT32, INT16, INT8, UINT8, UINT16 -> a.castTo(org.nd4j.linalg.api.buffer.DataType.INT32);
            default -> a;
        });
    }

    private INDArray shaped(INDArray flat) {
        if (dims.length == 0) {
            return flat.reshape(new long[0]);
        }
        for (long d : dims) {
            if (d == 0) {
                return Nd4j.create(flat.dataType(), dims);
            }
        }
        return flat.reshape('c', dims);
    }

    private ByteBuffer rawOf(String who, int n, int width) throws OnnxFormatException {
        if (raw.length != (long) n * width) {
            throw new OnnxFormatException(who, "shape " + Arrays.toString(dims) + " needs " + (long) n * width
                    + " bytes of " + type + ", found " + raw.length);
        }
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void typedOf(String who, int n) throws OnnxFormatException {
        if (typed.size() != n) {
            throw new OnnxFormatException(who, "shape " + Arrays.toString(dims) + " needs " + n + " values of " + type
                    + ", found " + typed.size());
        }
    }

    /** An IEEE 754 half's bits as a float. */
    static float half(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
        }
        if (exp == 0) {
            float m = mant / 1024f * 6.103515625e-5f; // subnormal: mant * 2^-24
            return sign != 0 ? -m : m;
        }
        return Float.intBitsToFloat(sign | (exp + 112) << 23 | mant << 13);
    }

    @Override
    public String toString() {
        return "tensor '" + name + "' " + type + " " + Arrays.toString(dims);
    }
}
