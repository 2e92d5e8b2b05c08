package dev.rampart.core.model.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelFilesTest {

    @TempDir
    Path dir;

    private static void assertIo(Executable call, String part) {
        IOException e = assertThrows(IOException.class, call);
        assertTrue(e.getMessage().contains(part), "message should mention '" + part + "': " + e.getMessage());
    }

    @Test
    void bothKindsOfNetworkAreToldApartAndLoaded() throws IOException {
        MultiLayerNetwork net = ReferenceModels.mlp(3);
        Path mln = dir.resolve("mlp.zip");
        Path graph = dir.resolve("graph.zip");
        ModelSerializer.writeModel(net, mln.toFile(), false);
        ModelSerializer.writeModel(net.toComputationGraph(), graph.toFile(), false);
        assertEquals(ModelFiles.Kind.MULTI_LAYER_NETWORK, ModelFiles.kind(mln));
        assertEquals(ModelFiles.Kind.COMPUTATION_GRAPH, ModelFiles.kind(graph));
        GradientClassifier a = ModelFiles.load(mln, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        GradientClassifier b = ModelFiles.load(graph, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        assertTrue(a instanceof MultiLayerNetworkModel && b instanceof ComputationGraphModel);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
        assertTrue(a.predictProbabilities(x).equalsWithEps(b.predictProbabilities(x), 1e-5));
        // the wrong kind is named, not reported as a corrupt file
        assertIo(() -> ModelFiles.loadMultiLayerNetwork(graph), "a ComputationGraph zip, not a MultiLayerNetwork");
        assertIo(() -> ModelFiles.loadComputationGraph(mln), "a MultiLayerNetwork zip, not a ComputationGraph");
    }

    @Test
    void badFilesAreNamedWithWhatIsWrong() throws IOException {
        assertIo(() -> ModelFiles.kind(dir.resolve("missing.zip")), "no such model file");
        assertIo(() -> ModelFiles.kind(dir), "is a directory");
        assertIo(() -> ModelFiles.kind(Path.of("")), "empty model file name");
        Path text = dir.resolve("text.zip");
        Files.writeString(text, "not a zip");
        assertIo(() -> ModelFiles.kind(text), "not a DL4J model zip");
        Path good = dir.resolve("good.zip");
        ModelSerializer.writeModel(ReferenceModels.mlp(1), good.toFile(), false);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertIo(() -> ModelFiles.loadMultiLayerNetwork(cut), "cut.zip");
    }
}
