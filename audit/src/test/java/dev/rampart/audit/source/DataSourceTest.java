package dev.rampart.audit.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.DatasetFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourceTest {

    @TempDir
    Path dir;

    private static DataSource.Spec spec(Path p, String format, int channels) {
        return new DataSource.Spec(p, format, channels, -1, false, 3);
    }

    @Test
    void imageFoldersCsvAndCifarBatchesAreFoundAndRead() throws IOException {
        Path images = dir.resolve("images");
        for (String cls : new String[] {"cat", "ant", "bee"}) {
            Files.createDirectories(images.resolve(cls));
            for (int k = 0; k < 2; k++) {
                BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
                img.setRGB(1, 2, 0xff0000);
                ImageIO.write(img, "png", images.resolve(cls).resolve("img" + k + ".png").toFile());
            }
        }
        DataSource.Loaded rgb = DataSource.load(spec(images, "auto", 3), 0);
        assertEquals(List.of("ant", "bee", "cat"), rgb.classNames(), "classes in alphabetical order");
        assertArrayEquals(new long[] {6, 3, 4, 5}, rgb.data().features().shape());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, rgb.data().labels());
        assertEquals(1.0, rgb.data().features().getDouble(0, 0, 2, 1), 1e-6, "red channel of the red pixel");
        assertEquals(0.0, rgb.data().features().getDouble(0, 1, 2, 1), 1e-6);
        assertArrayEquals(new long[] {4, 1, 4, 5}, DataSource.load(spec(images, "images", 1), 4).data().features()
                .shape());

        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "0.1,0.2,1\n0.3,0.4,2\n");
        DataSource.Loaded c = DataSource.load(spec(csv, "auto", 1), 0);
        assertArrayEquals(new int[] {1, 2}, c.data().labels());

        Path cifar = dir.resolve("cifar");
        Files.createDirectories(cifar);
        byte[] rec = new byte[3073 * 2];
        rec[0] = 7;
        rec[3073] = 3;
        Files.write(cifar.resolve("test_batch.bin"), rec);
        DataSource.Loaded cf = DataSource.load(new DataSource.Spec(cifar, "auto", 1, -1, false, 10), 0);
        assertEquals("horse", cf.classNames().get(cf.data().labels()[0]));
        assertArrayEquals(new long[] {2, 3, 32, 32}, cf.data().features().shape());
    }

    @Test
    void badDataIsNamed() throws IOException {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertTrue(assertThrows(DatasetFormatException.class, () -> DataSource.load(spec(empty, "auto", 1), 0))
                .getMessage().contains("cannot tell the data format"));
        Path txt = dir.resolve("data.txt");
        Files.writeString(txt, "x");
        assertTrue(assertThrows(DatasetFormatException.class, () -> DataSource.load(spec(txt, "auto", 1), 0))
                .getMessage().contains("data.txt"));
        Path images = dir.resolve("images");
        Files.createDirectories(images.resolve("a"));
        Files.createDirectories(images.resolve("b"));
        Files.writeString(images.resolve("a").resolve("broken.png"), "not a png");
        assertTrue(assertThrows(DatasetFormatException.class, () -> DataSource.load(spec(images, "images", 1), 0))
                .getMessage().contains("broken.png"));
        assertThrows(IllegalArgumentException.class, () -> spec(images, "parquet", 1));
        assertThrows(IllegalArgumentException.class, () -> spec(images, "images", 2));
    }
}
