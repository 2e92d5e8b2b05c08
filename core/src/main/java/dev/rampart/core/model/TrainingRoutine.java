package dev.rampart.core.model;

import dev.rampart.core.data.LabeledData;

/**
 * The user's own training routine: a fresh model trained on given data. Rampart calls it wherever an
 * experiment needs models trained the user's way: shadow models of membership inference (which
 * must be trained as the target was: architecture, epochs, augmentation, DP-SGD or not), models
 * trained on poisoned data, retraining after sanitization.
 *
 * <pre>{@code
 * TrainingRoutine routine = (data, seed) -> {
 *     MultiLayerNetwork net = ReferenceModels.mlp(seed);
 *     ...fit net on data...
 *     return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface TrainingRoutine {

    /**
     * A model trained on {@code data} only.
     *
     * @param data the training set
     * @param seed fixes the routine's own random choices (initialization, order)
     */
    Classifier train(LabeledData data, long seed);
}
