package dev.rampart.core.model.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The ONNX reader on files written here byte by byte, and on broken files: one named error each. */
class OnnxReaderTest {

    @TempDir
    Path dir;

    /** A protobuf writer just big enough for these tests. */
    private static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long v) {
            tag(field, 0);
            raw(v);
            return this;
        }

        Proto bytes(int field, byte[] b) {
            tag(field, 2);
            raw(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto p) {
            return bytes(field, p.out.toByteArray());
        }

        Proto fixed32(int field, int bits) {
            tag(field, 5);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
            return this;
        }

        private void tag(int field, int wire) {
            raw((long) field << 3 | wire);
        }

        private void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    private Path write(String name, byte[] b) throws IOException {
        return Files.write(dir.resolve(name), b);
    }

    private static Proto floatTensor(String name, long[] dims, float... v) {
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, 1).string(8, name);
        for (float x : v) {
            t.fixed32(4, Float.floatToIntBits(x)); // unpacked float_data, as old writers did
        }
        return t;
    }

    private static byte[] model() {
        Proto gemm = new Proto().string(1, "x").string(1, "w").string(2, "y").string(3, "fc").string(4, "Gemm")
                .message(5, new Proto().string(1, "transB").varint(20, 2).varint(3, 1))
                .message(5, new Proto().string(1, "alpha").varint(20, 1).fixed32(2, Float.floatToIntBits(0.5f)));
        Proto input = new Proto().string(1, "x").message(2, new Proto().message(1, new Proto().varint(1, 1)
                .message(2, new Proto().message(1, new Proto().string(2, "N")).message(1, new Proto().varint(1, 3)))));
        Proto graph = new Proto().message(1, gemm).string(2, "g")
                .message(5, floatTensor("w", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)).message(11, input)
                .message(12, new Proto().string(1, "y"));
        return new Proto().varint(1, 8).string(2, "rampart-test").message(8, new Proto().string(1, "").varint(2, 13))
                .message(7, graph).toBytes();
    }

    @Test
    void readsAHandWrittenModel() throws IOException {
        OnnxModel m = OnnxReader.read(write("m.onnx", model()));
        assertEquals(8, m.irVersion());
        assertEquals(13, m.opset());
        assertEquals("rampart-test", m.producer());
        OnnxNode n = m.graph().nodes().get(0);
        assertEquals("Gemm", n.opType());
        assertEquals(java.util.List.of("x", "w"), n.inputs());
        assertEquals(1, n.intAttr("transB", 0));
        assertEquals(0.5f, n.floatAttr("alpha", 1f));
        assertEquals(1f, n.floatAttr("beta", 1f), "absent: the default");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> n.intAttr("alpha", 0));
        assertEquals("node 'fc' (Gemm): attribute 'alpha' is FLOAT, expected INT", e.getMessage());
        OnnxValueInfo in = m.graph().dataInputs().get(0);
        assertArrayEquals(new long[] {-1, 3}, in.shape());
        assertEquals(java.util.List.of("N", ""), in.dimNames());
        INDArray w = m.graph().initializers().get("w").array();
        assertEquals(DataType.FLOAT, w.dataType());
        assertArrayEquals(new long[] {2, 3}, w.shape());
        assertEquals(6f, w.getFloat(1, 2));
    }

    @Test
    void brokenFilesAreNamedErrors() throws IOException {
        byte[] good = model();
        assertMessage(write("empty.onnx", new byte[0]), "empty file, not an ONNX file");
        assertMessage(dir.resolve("missing.onnx"), "cannot read: no such file");
        assertMessage(dir, "is a directory");
        // every truncation is an error naming the file, never a wrong model or another exception
        for (int cut = 1; cut < good.length; cut++) {
            Path p = write("cut.onnx", Arrays.copyOf(good, cut));
            OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxReader.read(p), "cut " + cut);
            assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        }
        Random rnd = new Random(5);
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(junk);
            Path p = write("junk.onnx", junk);
            try {
                OnnxReader.read(p);
            } catch (OnnxFormatException e) {
                refused++;
                assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
            }
        }
        assertEquals(200, refused, "random bytes are not an ONNX model");
        assertMessage(write("text.onnx", "ir_version: 8\ngraph { }\n".getBytes()), "text.onnx: ");
    }

    @Test
    void tensorsWhoseValuesDisagreeWithTheirShapeAreRefused() throws IOException {
        Path short4 = write("short.pb", new Proto().varint(1, 3).varint(2, 1).string(8, "w")
                .bytes(9, new byte[8]).toBytes());
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxReader.readTensor(short4).array());
        assertEquals("tensor 'w': shape [3] needs 12 bytes of FLOAT, found 8", e.getMessage());
        Path typed = write("typed.pb", floatTensor("v", new long[] {2, 2}, 1, 2, 3).toBytes());
        e = assertThrows(OnnxFormatException.class, () -> OnnxReader.readTensor(typed).array());
        assertEquals("tensor 'v': shape [2, 2] needs 4 values of FLOAT, found 3", e.getMessage());
        Path ext = write("ext.pb", new Proto().varint(1, 2).varint(2, 1).string(8, "big").varint(14, 1).toBytes());
        e = assertThrows(OnnxFormatException.class, () -> OnnxReader.readTensor(ext).array());
        assertTrue(e.getMessage().startsWith("tensor 'big': its data lies in an external file"), e.getMessage());
        Path neg = write("neg.pb", new Proto().varint(1, -2).varint(2, 1).string(8, "n").toBytes());
        e = assertThrows(OnnxFormatException.class, () -> OnnxReader.readTensor(neg).array());
        assertTrue(e.getMessage().startsWith("tensor 'n': negative dimension"), e.getMessage());
        Path huge = write("huge.pb", new Proto().varint(1, 1L << 40).varint(1, 1L << 40).varint(2, 1).string(8, "h")
                .toBytes());
        e = assertThrows(OnnxFormatException.class, () -> OnnxReader.readTensor(huge).array());
        assertTrue(e.getMessage().startsWith("tensor 'h': "), e.getMessage());
    }

    @Test
    void halfPrecisionDecodes() {
        assertEquals(1f, OnnxTensor.half(0x3c00));
        assertEquals(-2f, OnnxTensor.half(0xc000));
        assertEquals(65504f, OnnxTensor.half(0x7bff));
        assertEquals(5.9604645e-8f, OnnxTensor.half(0x0001));
        assertTrue(Float.isNaN(OnnxTensor.half(0x7e00)));
        assertEquals(Float.NEGATIVE_INFINITY, OnnxTensor.half(0xfc00));
    }

    private static void assertMessage(Path p, String part) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxReader.read(p));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
