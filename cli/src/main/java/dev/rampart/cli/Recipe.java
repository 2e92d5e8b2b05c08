package dev.rampart.cli;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.io.IoErrors;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ModelFiles;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.LongFunction;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * How {@code rampart sanitize} trains a model, from the {@code --model} option: a reference model
 * name (fresh weights from the seed), a DL4J configuration in JSON (a MultiLayerNetwork's or a
 * ComputationGraph's), or a DL4J model zip whose configuration (layers, updater, learning rate,
 * its own initialization seed) is reused with fresh weights. Every model is trained with
 * mini-batches shuffled by the seed.
 */
final class Recipe {

    /** The largest configuration file read, in bytes. */
    static final long MAX_CONFIGURATION_BYTES = 16 << 20;

    private final String description;
    private final LongFunction<Object> fresh;
    private final boolean reference;

    private Recipe(String description, LongFunction<Object> fresh, boolean reference) {
        this.description = description;
        this.fresh = fresh;
        this.reference = reference;
    }

    /**
     * Reads a recipe; a file is read and its configuration checked now.
     *
     * @throws IOException naming the file and what is wrong with it, or the unknown name
     */
    static Recipe parse(String spec) throws IOException {
        if (ReferenceModels.NAMES.contains(spec)) {
            return new Recipe("reference " + spec, s -> ReferenceModels.byName(spec, s), true);
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new IOException(spec + ": neither a reference model (" + String.join(", ", ReferenceModels.NAMES)
                    + ") nor a file");
        }
        byte[] head = new byte[2];
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(2);
        }
        if (head.length == 2 && head[0] == 'P' && head[1] == 'K') {
            ModelFiles.Kind kind = ModelFiles.kind(file);
            if (kind == ModelFiles.Kind.MULTI_LAYER_NETWORK) {
                MultiLayerConfiguration conf = ModelFiles.loadMultiLayerNetwork(file).getLayerWiseConfigurations();
                return new Recipe("the configuration of " + file.getFileName(), s -> network(conf), false);
            }
            ComputationGraphConfiguration conf = ModelFiles.loadComputationGraph(file).getConfiguration();
            return new Recipe("the configuration of " + file.getFileName(), s -> graph(conf), false);
        }
        if (Files.size(file) > MAX_CONFIGURATION_BYTES) {
            throw new IOException(file + ": " + Files.size(file) + " bytes, not a DL4J configuration");
        }
        String json = Files.readString(file, StandardCharsets.UTF_8);
        try {
            if (json.contains("\"vertices\"")) {
                ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
                graph(conf);
                return new Recipe("configuration " + file.getFileName(), s -> graph(conf), false);
            }
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
            network(conf);
            return new Recipe("configuration " + file.getFileName(), s -> network(conf), false);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a DL4J configuration in JSON nor a model zip (" + IoErrors.reason(e)
                    + ")", e);
        }
    }

    private static MultiLayerNetwork network(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        return net;
    }

    private static ComputationGraph graph(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf.clone());
        g.init();
        return g;
    }

    /** The recipe in words. */
    String description() {
        return description;
    }

    /** The problem with training this recipe on data of this shape and class count, or {@code null}. */
    String mismatch(long[] exampleShape, int classes) {
        if (reference && (!Arrays.equals(exampleShape, ReferenceModels.INPUT_SHAPE) || classes
                != ReferenceModels.CLASSES)) {
            return "the reference models take " + Arrays.toString(ReferenceModels.INPUT_SHAPE) + " images of "
                    + ReferenceModels.CLASSES + " classes; --data has " + Arrays.toString(exampleShape) + " and "
                    + classes;
        }
        return null;
    }

    /**
     * A model with fresh weights trained on {@code data}, wrapped for inputs in [0, 1].
     *
     * @throws IllegalArgumentException if the network does not fit the data (its message names
     *     both)
     */
    /**
     * A model with fresh weights from {@code seed}, untrained, for examples of {@code shape}.
     *
     * @throws IllegalArgumentException if its outputs do not match {@code classes}
     */
    GradientClassifier fresh(long seed, long[] shape, int classes) {
        GradientClassifier model = wrap(fresh.apply(seed), shape);
        if (model.numClasses() != classes) {
            throw new IllegalArgumentException(description + " has " + model.numClasses() + " outputs but the data "
                    + classes + " classes");
        }
        return model;
    }

    GradientClassifier train(LabeledData data, int epochs, int batch, long seed, IntConsumer onEpoch) {
        Object net = fresh.apply(seed);
        GradientClassifier model = wrap(net, data.exampleShape());
        if (model.numClasses() != data.numClasses()) {
            throw new IllegalArgumentException(description + " has " + model.numClasses() + " outputs but the data "
                    + data.numClasses() + " classes");
        }
        ShuffledBatches batches = new ShuffledBatches(data, batch, seed);
        for (int e = 0; e < epochs; e++) {
            batches.reset();
            while (batches.hasNext()) {
                if (net instanceof MultiLayerNetwork n) {
                    n.fit(batches.next());
                } else {
                    ((ComputationGraph) net).fit(batches.next());
                }
            }
            onEpoch.accept(e);
        }
        return model;
    }

    /** Writes a model this recipe trained as a DL4J zip (with its updater state). */
    static void save(GradientClassifier model, Path file) throws IOException {
        Object net = model instanceof MultiLayerNetworkModel m ? m.network() : ((ComputationGraphModel) model).graph();
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".model", ".zip");
        try {
            ModelSerializer.writeModel((org.deeplearning4j.nn.api.Model) net, tmp.toFile(), true);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static GradientClassifier wrap(Object net, long[] shape) {
        return net instanceof MultiLayerNetwork n ? MultiLayerNetworkModel.of(n, shape, InputDomain.UNIT)
                : ComputationGraphModel.of((ComputationGraph) net, shape, InputDomain.UNIT);
    }
}
