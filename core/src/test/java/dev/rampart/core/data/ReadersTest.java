package dev.rampart.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {

    @TempDir
    Path dir;

    @Test
    void bundledSampleHasTheDocumentedSizeAndRange() throws IOException {
        LabeledData test = FashionMnist.bundledTest();
        assertEquals(FashionMnist.BUNDLED_TEST, test.size());
        assertArrayEquals(new long[] {1, 28, 28}, test.exampleShape());
        assertTrue(test.features().minNumber().doubleValue() >= 0);
        assertEquals(1.0, test.features().maxNumber().doubleValue(), 1e-6);
        // every class is present in the sample
        assertEquals(10, Arrays.stream(test.labels()).distinct().count());
        assertEquals(FashionMnist.BUNDLED_TRAIN, FashionMnist.bundledTrain().size());
    }

    @Test
    void idxRoundTripGzippedAndPlain() throws IOException {
        byte[] pixels = {0, (byte) 255, 51, 102};
        writeIdx(dir.resolve("img.gz"), 0x803, new int[] {1, 2, 2}, pixels, true);
        writeIdx(dir.resolve("img"), 0x803, new int[] {1, 2, 2}, pixels, false);
        for (String f : new String[] {"img.gz", "img"}) {
            var x = IdxReader.readImages(dir.resolve(f), 0);
            assertArrayEquals(new long[] {1, 1, 2, 2}, x.shape());
            assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f}, x.reshape(4).toFloatVector(), 1e-6f);
        }
    }

    @Test
    void idxWriterWritesWhatTheReaderReadsBitForBit() throws IOException {
        LabeledData sample = FashionMnist.bundledTest().slice(0, 50);
        Path d = dir.resolve("written");
        Files.createDirectories(d);
        IdxWriter.write(sample, d, "train");
        LabeledData back = FashionMnist.load(d, FashionMnist.Split.TRAIN, 0);
        assertArrayEquals(sample.labels(), back.labels());
        assertEquals(sample.features(), back.features());
        LabeledData rgb = new LabeledData("rgb", org.nd4j.linalg.factory.Nd4j.zeros(2, 3, 4, 4), new int[] {0, 1}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxWriter.write(rgb, d, "x"));
        assertTrue(e.getMessage().contains("rgb has examples of shape [3, 4, 4]"), e.getMessage());
        LabeledData out = new LabeledData("wide", org.nd4j.linalg.factory.Nd4j.ones(2, 1, 2, 2).muli(1.5), new int[] {0,
            1}, 2);
        e = assertThrows(IllegalArgumentException.class, () -> IdxWriter.write(out, d, "x"));
        assertTrue(e.getMessage().contains("wide: value 1.5 of example 0 is outside [0, 1]"), e.getMessage());
    }

    @Test
    void idxImageAndLabelFilesMustDeclareTheSameCountWhateverTheLimit() throws IOException {
        Path d = dir.resolve("pair");
        Files.createDirectories(d);
        writeIdx(d.resolve("t10k-images-idx3-ubyte.gz"), 0x803, new int[] {6, 28, 28}, new byte[784 * 6], true);
        writeIdx(d.resolve("t10k-labels-idx1-ubyte.gz"), 0x801, new int[] {5}, new byte[5], true);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> FashionMnist.load(d, FashionMnist.Split.TEST, 3));
        assertTrue(e.getMessage().contains("holds 6 images but t10k-labels-idx1-ubyte.gz holds 5 labels"),
                e.getMessage());
        writeIdx(d.resolve("t10k-labels-idx1-ubyte.gz"), 0x801, new int[] {6}, new byte[] {1, 2, 3, 4, 5, 12}, true);
        DatasetFormatException label = assertThrows(DatasetFormatException.class,
                () -> FashionMnist.load(d, FashionMnist.Split.TEST, 0));
        assertTrue(label.getMessage().contains("t10k-labels-idx1-ubyte.gz: label 12 of example 5"), label.getMessage());
    }

    @Test
    void anEmptyClassFolderIsRefusedByName() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images.resolve("a"));
        Files.createDirectories(images.resolve("b"));
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", images.resolve("a").resolve("x.png").toFile());
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageFolderReader.read(images, 1, 0));
        assertTrue(e.getMessage().contains("class folder 'b' holds no image"), e.getMessage());
    }

    @Test
    void truncatedIdxNamesFileAndSizes() throws IOException {
        Path f = dir.resolve("short.gz");
        writeIdx(f, 0x803, new int[] {10, 28, 28}, new byte[784 * 3], true);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, 0));
        assertTrue(e.getMessage().contains("short.gz") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongMagicAndCorruptGzipAndMissingFileAreReported() throws IOException {
        Path labels = dir.resolve("labels");
        writeIdx(labels, 0x801, new int[] {2}, new byte[] {1, 2}, false);
        DatasetFormatException magic = assertThrows(DatasetFormatException.class,
                () -> IdxReader.readImages(labels, 0));
        assertTrue(magic.getMessage().contains("magic"), magic.getMessage());

        Path corrupt = dir.resolve("corrupt.gz");
        Files.write(corrupt, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(corrupt, 0));

        DatasetFormatException missing = assertThrows(DatasetFormatException.class,
                () -> IdxReader.readLabels(dir.resolve("nope.gz"), 0));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        assertThrows(DatasetFormatException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST, 0));
    }

    @Test
    void cifarRecordsAndBadSizes() throws IOException {
        byte[] rec = new byte[Cifar10Reader.RECORD_BYTES * 2];
        rec[0] = 3;
        rec[1] = (byte) 255;
        rec[Cifar10Reader.RECORD_BYTES] = 9;
        Path f = dir.resolve("b.bin");
        Files.write(f, rec);
        LabeledData d = Cifar10Reader.read(List.of(f), 0);
        assertArrayEquals(new int[] {3, 9}, d.labels());
        assertArrayEquals(new long[] {2, 3, 32, 32}, d.features().shape());
        assertEquals(1.0f, d.features().getFloat(0, 0, 0, 0), 1e-6f);

        Files.write(f, Arrays.copyOf(rec, rec.length - 5));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(List.of(f), 0));
        assertTrue(e.getMessage().contains("multiple"), e.getMessage());
        rec[0] = 12;
        Files.write(f, rec);
        assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(List.of(f), 0));
    }

    @Test
    void csvValuesLabelsAndErrorsWithLineAndColumn() throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "a,b,label\n1.5,2,0\n-3,4e-1,2\n");
        LabeledData d = new CsvReader(',', true, -1).read(f, 3);
        assertArrayEquals(new int[] {0, 2}, d.labels());
        assertArrayEquals(new float[] {1.5f, 2f, -3f, 0.4f}, d.features().reshape(4).toFloatVector(), 1e-6f);

        Files.writeString(f, "1,2,0\n1,x,1\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new CsvReader(',', false, 2).read(f, 2));
        assertTrue(e.getMessage().contains("line 2, column 2"), e.getMessage());
        Files.writeString(f, "1,2,0\n1,NaN,1\n");
        assertThrows(DatasetFormatException.class, () -> new CsvReader(',', false, 2).read(f, 2));
        Files.writeString(f, "1,2,5\n");
        assertThrows(DatasetFormatException.class, () -> new CsvReader(',', false, 2).read(f, 2));
        Files.writeString(f, "1,2,0\n1,2\n");
        assertThrows(DatasetFormatException.class, () -> new CsvReader(',', false, 2).read(f, 2));
    }

    @Test
    void everySingleByteChangeOfAGzipFileIsRefusedOrHarmless() throws IOException {
        byte[] pixels = new byte[3 * 4 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37);
        }
        Path good = dir.resolve("good.gz");
        writeIdx(good, 0x803, new int[] {3, 4, 4}, pixels, true);
        float[] expected = IdxReader.readImages(good, 0).reshape(-1).toFloatVector();
        byte[] bytes = Files.readAllBytes(good);
        int refused = 0;
        for (int off = 0; off < bytes.length; off++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] changed = bytes.clone();
                changed[off] ^= (byte) bit;
                Path f = dir.resolve("flipped.gz");
                Files.write(f, changed);
                try {
                    float[] read = IdxReader.readImages(f, 0).reshape(-1).toFloatVector();
                    // what no check covers (the header's text flag, time stamp and OS, the padding bits of
                    // the last compressed byte) does not change the data
                    assertArrayEquals(expected, read, "byte " + off + " changed, data must be refused or unchanged");
                } catch (DatasetFormatException e) {
                    assertTrue(e.getMessage().contains("flipped.gz"), e.getMessage());
                    refused++;
                }
            }
        }
        assertTrue(refused >= 2 * (bytes.length - 8), "refused " + refused + " of " + 2 * bytes.length);
    }

    @Test
    void gzipWithTrailingBytesOrCutShortIsRefused() throws IOException {
        Path f = dir.resolve("img.gz");
        writeIdx(f, 0x803, new int[] {1, 2, 2}, new byte[4], true);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.nio.ByteBuffer.allocate(bytes.length + 3).put(bytes).put(new byte[] {1, 2, 3}).array());
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, 0)).getMessage()
                .contains("after the end"));
        for (int cut : new int[] {1, 4, 8, bytes.length - 10}) {
            Files.write(f, Arrays.copyOf(bytes, bytes.length - cut));
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, 0));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        // two concatenated members are one valid stream
        Path two = dir.resolve("two.gz");
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(16).putInt(0x803).putInt(2).putInt(1).putInt(2);
        joined.write(gzip(header.array()));
        joined.write(gzip(new byte[] {0, (byte) 255, (byte) 255, 0}));
        Files.write(two, joined.toByteArray());
        assertArrayEquals(new float[] {0, 1, 1, 0}, IdxReader.readImages(two, 0).reshape(-1).toFloatVector());
    }

    @Test
    void dataLongerOrShorterThanTheHeaderSaysIsRefused() throws IOException {
        Path f = dir.resolve("img");
        writeIdx(f, 0x803, new int[] {2, 2, 2}, new byte[9], false);
        DatasetFormatException longer = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, 1));
        assertTrue(longer.getMessage().contains("1 bytes after the data"), longer.getMessage());
        writeIdx(f, 0x801, new int[] {3}, new byte[2], false);
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(f, 0)).getMessage()
                .contains("truncated"));
        writeIdx(f, 0x801, new int[] {3}, new byte[4], false);
        assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(f, 2));
    }

    @Test
    void craftedHeadersAreRefusedBeforeAllocatingByNameOfFileAndField() throws IOException {
        Path f = dir.resolve("crafted");
        int[][] headers = {{-1, 28, 28}, {Integer.MAX_VALUE, 28, 28}, {60000, 65536, 65536}, {10, -28, 28},
            {10, 0, 28}, {1 << 20, 1 << 16, 1 << 15}, {3, 1 << 17, 2}};
        for (int[] h : headers) {
            writeIdx(f, 0x803, h, new byte[16], false);
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, 0),
                    Arrays.toString(h));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertTrue(e.getMessage().matches(".*(image count|rows|columns|truncated|invalid header).*"),
                    e.getMessage());
        }
        writeIdx(f, 0x801, new int[] {-5}, new byte[0], false);
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(f, 0)).getMessage()
                .contains("label count"));
        Files.write(f, new byte[] {0, 0, 8, 3, 0, 0});
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, 0)).getMessage()
                .contains("truncated header"));
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(dir, 0)).getMessage()
                .contains("directory"));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static void writeIdx(Path f, int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            out.write(b.array());
        }
    }
}
