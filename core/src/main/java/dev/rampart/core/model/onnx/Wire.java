package dev.rampart.core.model.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A reader of protocol buffers' wire format over a byte range: varints, fixed-width values and
 * length-delimited fields, each checked against the range's end. Unknown fields are skipped, as
 * the format asks, so files from newer ONNX versions still read.
 */
final class Wire {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH = 2;
    static final int FIXED32 = 5;

    private final byte[] b;
    private int pos;
    private final int end;
    private final String source;

    Wire(byte[] bytes, int from, int to, String source) {
        this.b = bytes;
        this.pos = from;
        this.end = to;
        this.source = source;
    }

    boolean more() {
        return pos < end;
    }

    /** The next tag ({@code field << 3 | wire type}). */
    int tag() throws OnnxFormatException {
        long t = varint();
        if (t <= 0 || t > Integer.MAX_VALUE) {
            throw error("invalid field tag " + t);
        }
        int wire = (int) t & 7;
        if (wire != VARINT && wire != FIXED64 && wire != LENGTH && wire != FIXED32) {
            throw error("unsupported wire type " + wire + " (field " + (t >>> 3) + ")");
        }
        return (int) t;
    }

    long varint() throws OnnxFormatException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw error("truncated varint");
            }
            byte x = b[pos++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    int fixed32() throws OnnxFormatException {
        need(4);
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long fixed64() throws OnnxFormatException {
        long lo = fixed32() & 0xffffffffL;
        long hi = fixed32() & 0xffffffffL;
        return lo | hi << 32;
    }

    /** A length-delimited field as a reader of its bytes; this reader moves past it. */
    Wire message() throws OnnxFormatException {
        int len = length();
        Wire w = new Wire(b, pos, pos + len, source);
        pos += len;
        return w;
    }

    String string() throws OnnxFormatException {
        int len = length();
        String s = new String(b, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** A copy of a length-delimited field's bytes. */
    byte[] bytes() throws OnnxFormatException {
        int len = length();
        byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + len);
        pos += len;
        return out;
    }

    /** Skips a field of wire type {@code tag & 7}. */
    void skip(int tag) throws OnnxFormatException {
        switch (tag & 7) {
            case VARINT -> varint();
            case FIXED64 -> {
                need(8);
                pos += 8;
            }
            case FIXED32 -> {
                need(4);
                pos += 4;
            }
            default -> {
                int len = length(); // read before adding: length() moves pos past the varint
                pos += len;
            }
        }
    }

    /** Appends a repeated varint field, packed or not. */
    void varints(int tag, LongList out) throws OnnxFormatException {
        repeated(tag, VARINT, out, Wire::varint);
    }

    /** Appends a repeated 32-bit field (float), packed or not, as raw bits. */
    void fixed32s(int tag, LongList out) throws OnnxFormatException {
        repeated(tag, FIXED32, out, Wire::fixed32);
    }

    /** Appends a repeated 64-bit field (double), packed or not, as raw bits. */
    void fixed64s(int tag, LongList out) throws OnnxFormatException {
        repeated(tag, FIXED64, out, Wire::fixed64);
    }

    /** Reads one value of a wire type. */
    private interface Value {
        long read(Wire w) throws OnnxFormatException;
    }

    private void repeated(int tag, int wire, LongList out, Value value) throws OnnxFormatException {
        if ((tag & 7) == LENGTH) { // packed: values back to back
            Wire w = message();
            while (w.more()) {
                out.add(value.read(w));
            }
        } else {
            expect(tag, wire);
            out.add(value.read(this));
        }
    }

    void expect(int tag, int wire) throws OnnxFormatException {
        if ((tag & 7) != wire) {
            throw error("field " + (tag >>> 3) + " has wire type " + (tag & 7) + ", expected " + wire);
        }
    }

    OnnxFormatException error(String problem) {
        return new OnnxFormatException(source, problem + " at byte " + pos);
    }

    private int length() throws OnnxFormatException {
        long len = varint();
        if (len < 0 || len > end - pos) {
            throw error("field length " + len + " runs past the end (" + (end - pos) + " bytes left): truncated or"
                    + " not an ONNX file");
        }
        return (int) len;
    }

    private void need(int n) throws OnnxFormatException {
        if (end - pos < n) {
            throw error("truncated fixed-width value");
        }
    }

    /** A growable list of longs (varints and raw bits of floats and doubles). */
    static final class LongList {
        private long[] v = new long[8];
        private int n;

        void add(long x) {
            if (n == v.length) {
                v = java.util.Arrays.copyOf(v, n * 2);
            }
            v[n++] = x;
        }

        int size() {
            return n;
        }

        long get(int i) {
            return v[i];
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(v, n);
        }
    }
}
