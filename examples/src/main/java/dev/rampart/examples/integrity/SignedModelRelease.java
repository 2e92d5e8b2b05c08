package dev.rampart.examples.integrity;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.integrity.IntegrityException;
import dev.rampart.defenses.integrity.Keys;
import dev.rampart.defenses.integrity.SignedFiles;
import dev.rampart.defenses.integrity.TrustedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Releasing a model with an Ed25519 signature and loading it only if it verifies: a key pair is
 * made, the model zip is signed, the verified model loads in one call, and a copy with one
 * changed byte is refused with a message naming the file and the reason.
 *
 * <pre>
 * ./mvnw -q -pl examples -am -DskipTests compile exec:java \
 *   -Dexec.mainClass=dev.rampart.examples.integrity.SignedModelRelease
 * </pre>
 */
public final class SignedModelRelease {

    /**
     * What the example saw.
     *
     * @param loadedClasses the verified model's number of classes
     * @param refusal the message that refused the tampered copy
     */
    public record Result(int loadedClasses, String refusal) {
    }

    private SignedModelRelease() {
    }

    /** Runs in {@code dir}. */
    public static Result run(Path dir) throws IOException {
        KeyPair pair = Keys.generate();
        Keys.writePrivate(pair.getPrivate(), dir.resolve("release.key"));
        Keys.writePublic(pair.getPublic(), dir.resolve("release.pub"));
        Path model = dir.resolve("model.zip");
        ModelSerializer.writeModel(ReferenceModels.mlp(1), model.toFile(), false);
        SignedFiles.sign(model, Keys.readPrivate(dir.resolve("release.key")));

        GradientClassifier loaded = TrustedModels.loadSigned(model, Keys.readPublic(dir.resolve("release.pub")),
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);

        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 1; // one flipped bit, as a tampered or corrupted download
        Files.write(model, bytes);
        String refusal = null;
        try {
            TrustedModels.loadSigned(model, pair.getPublic(), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        } catch (IntegrityException e) {
            refusal = e.getMessage();
        }
        return new Result(loaded.numClasses(), refusal);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("rampart-release");
        Result r = run(dir);
        System.out.println("verified model loaded: " + r.loadedClasses() + " classes");
        System.out.println("tampered copy refused: " + r.refusal());
    }
}
