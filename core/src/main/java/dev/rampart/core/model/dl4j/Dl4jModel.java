package dev.rampart.core.model.dl4j;

import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.PerExampleGradients;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.model.program.InferenceProgram;
import dev.rampart.core.model.program.ProgramClassifier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What the DL4J adapters share beyond {@link ProgramClassifier}: training, per-example gradients
 * and layer activations.
 */
abstract class Dl4jModel extends ProgramClassifier implements ActivationModel, PerExampleGradients {

    Dl4jModel(long[] inputShape, InputDomain domain, int numClasses, DataType dataType, InferenceProgram program) {
        super(inputShape, domain, numClasses, dataType, program);
    }

    @Override
    public final GradientNorms parameterGradientNorms(INDArray x, INDArray labels) {
        INDArray in = Inputs.asType(this, x, "x");
        Inputs.checkLabelMatrix(labels, in.size(0), numClasses(), "labels");
        INDArray y = labels.dataType() == dataType() ? labels : labels.castTo(dataType());
        String dropout = dropoutLayer();
        if (dropout != null) {
            throw new UnsupportedOperationException("per-example gradients are not available for layer " + dropout
                    + " with dropout (training and inference compute different functions; remove the dropout)");
        }
        return program().parameterGradientNorms(in, y);
    }

    @Override
    public final INDArray parameterGradient(INDArray x, INDArray labels) {
        INDArray in = Inputs.asType(this, x, "x");
        Inputs.checkLabelMatrix(labels, in.size(0), numClasses(), "labels");
        // DL4J's own training pass manages its workspaces: it runs outside the caller's
        try (org.nd4j.linalg.api.memory.MemoryWorkspace out = dev.rampart.core.memory.Workspaces.outside()) {
            return summedGradient(new DataSet(in, labels.dataType() == dataType() ? labels : labels.castTo(dataType())));
        }
    }

    @Override
    public final void applyGradient(INDArray gradient, int batchSize) {
        if (gradient == null || gradient.length() != parameters().length()) {
            throw new IllegalArgumentException("gradient must have " + parameters().length() + " values (one per"
                    + " parameter), found " + (gradient == null ? "null" : gradient.length()));
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        if (!Double.isFinite(gradient.sumNumber().doubleValue())) {
            throw new IllegalArgumentException("gradient holds NaN or infinite values");
        }
        // the updater's state is made on its first use and must outlive any workspace of the caller
        try (org.nd4j.linalg.api.memory.MemoryWorkspace out = dev.rampart.core.memory.Workspaces.outside()) {
            update(gradient.reshape(1, -1).castTo(dataType()), batchSize);
        }
    }

    /** The name of a layer with dropout, or {@code null}. */
    abstract String dropoutLayer();

    /** The network's own gradient of the batch, summed over its examples, as a new flat array. */
    abstract INDArray summedGradient(DataSet batch);

    /** One update of the network's parameters by its updater from a flat gradient summed over {@code batchSize}. */
    abstract void update(INDArray gradient, int batchSize);

    @Override
    public final boolean softmaxCrossEntropyOutput() {
        return program().softmaxCrossEntropy();
    }

    @Override
    public abstract Dl4jModel copy();

    /**
     * Hidden layer {@code layer}'s output from the compiled program (the kernels predictions use,
     * several times faster than DL4J's own forward pass on convolutions), or null when the program
     * does not hold it and DL4J's forward pass must give it.
     */
    final INDArray compiledActivations(INDArray checkedInput, String layer) {
        return program().layerOutput(checkedInput, layer);
    }

    /**
     * A training batch checked like a query, with its label rows (finite, summing to 1; signed
     * soft labels allowed, see {@link TrainableModel#softmaxCrossEntropyOutput()}), both in the
     * model's type.
     */
    final DataSet checkedBatch(INDArray x, INDArray labels) {
        INDArray in = checkedInput(x);
        return new DataSet(in, checkedLabels(labels, in.size(0), true));
    }

    /** The layer index of {@code layer}, or a message naming the known layers. */
    final int layerIndex(String layer) {
        int idx = layerNames().indexOf(layer);
        if (idx < 0) {
            throw new IllegalArgumentException("layer '" + layer + "' is not one of " + layerNames());
        }
        return idx;
    }
}
