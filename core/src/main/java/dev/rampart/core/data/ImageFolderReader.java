package dev.rampart.core.data;

import dev.rampart.core.io.IoErrors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a folder of labelled images: one sub-folder per class, named after it, holding PNG, JPEG,
 * BMP or GIF files. Classes are the sub-folders in alphabetical order; images become floats in
 * {@code [0, 1]} of shape {@code [n, channels, height, width]} (1 channel: grey, from the average
 * of red, green and blue; 3: red, green, blue). Every image must have the size of the first.
 *
 * <pre>{@code
 * LabeledData d = ImageFolderReader.read(Path.of("test-images"), 3, 0);
 * List<String> classes = ImageFolderReader.classes(Path.of("test-images"));
 * }</pre>
 */
public final class ImageFolderReader {

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private ImageFolderReader() {
    }

    /** The class names: the sub-folders of {@code dir}, in alphabetical order. */
    public static List<String> classes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException(dir, "not a directory (expected one sub-folder of images per class)");
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : s) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(null);
        if (names.size() < 2) {
            throw new DatasetFormatException(dir, "has " + names.size() + " class sub-folders; need at least 2");
        }
        return names;
    }

    /**
     * Reads up to {@code limit} images (all if {@code limit <= 0}), class by class, files in
     * alphabetical order within each class.
     *
     * @param channels 1 (grey) or 3 (RGB)
     * @throws DatasetFormatException naming the file: unreadable, not an image, or of another size
     */
    public static LabeledData read(Path dir, int channels, int limit) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
        }
        List<String> classes = classes(dir);
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int height = -1;
        int width = -1;
        for (int c = 0; c < classes.size() && (limit <= 0 || images.size() < limit); c++) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve(classes.get(c)))) {
                for (Path p : s) {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    if (Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith)) {
                        files.add(p);
                    }
                }
            }
            files.sort(null);
            if (files.isEmpty()) {
                throw new DatasetFormatException(dir.resolve(classes.get(c)), "class folder '" + classes.get(c)
                        + "' holds no image (PNG, JPEG, BMP or GIF): an empty class");
            }
            for (Path f : files) {
                if (limit > 0 && images.size() >= limit) {
                    break;
                }
                BufferedImage img;
                try {
                    img = ImageIO.read(f.toFile());
                } catch (IOException | RuntimeException e) {
                    throw new DatasetFormatException(f, "cannot be decoded as an image (" + IoErrors.reason(e) + ")");
                }
                if (img == null) {
                    throw new DatasetFormatException(f, "is not an image in a format Java can read (PNG, JPEG, BMP, GIF)");
                }
                if (height < 0) {
                    height = img.getHeight();
                    width = img.getWidth();
                } else if (img.getHeight() != height || img.getWidth() != width) {
                    throw new DatasetFormatException(f, "is " + img.getWidth() + "x" + img.getHeight()
                            + ", the first image was " + width + "x" + height + " (all images must have one size)");
                }
                images.add(pixels(img, channels));
                labels.add(c);
            }
        }
        if (images.isEmpty()) {
            throw new DatasetFormatException(dir, "holds no images in its class sub-folders");
        }
        int d = channels * height * width;
        float[] all = new float[images.size() * d];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * d, d);
        }
        return new LabeledData("images:" + dir, Nd4j.create(all, new long[] {images.size(), channels, height, width},
                'c'), labels.stream().mapToInt(Integer::intValue).toArray(), classes.size());
    }

    private static float[] pixels(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] out = new float[channels * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float g = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                if (channels == 1) {
                    out[y * w + x] = (r + g + b) / 3f;
                } else {
                    out[y * w + x] = r;
                    out[(h + y) * w + x] = g;
                    out[(2 * h + y) * w + x] = b;
                }
            }
        }
        return out;
    }
}
