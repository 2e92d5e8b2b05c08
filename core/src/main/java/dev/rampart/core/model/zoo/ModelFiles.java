package dev.rampart.core.model.zoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Loading DL4J model files with clear errors: a missing file, a file that is not a zip, or a zip
 * without DL4J's configuration and coefficients is reported by name, before DL4J sees it.
 *
 * <pre>{@code
 * MultiLayerNetwork net = ModelFiles.loadMultiLayerNetwork(Path.of("model.zip"));
 * }</pre>
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * @throws IOException naming the file and what is wrong with it
     */
    public static MultiLayerNetwork loadMultiLayerNetwork(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry("configuration.json") == null || zip.getEntry("coefficients.bin") == null) {
                throw new IOException(file + ": not a DL4J model (configuration.json or coefficients.bin missing)");
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a DL4J model zip (" + e.getMessage() + ")", e);
        }
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (RuntimeException | IOException e) {
            throw new IOException(file + ": corrupt DL4J model (" + e.getMessage() + ")", e);
        } catch (Error e) {
            throw new IOException(file + ": corrupt DL4J model (" + e + ")", e);
        }
    }
}
