package dev.rampart.attacks.inference;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;

/**
 * The user's own training routine, which membership attacks call to train shadow models: it must
 * train a fresh model the way the target was trained (architecture, epochs, augmentation, DP-SGD or
 * not), since the attacks learn what membership looks like from these models.
 *
 * <pre>{@code
 * ShadowTrainer trainer = (data, seed) -> {
 *     MultiLayerNetwork net = ReferenceModels.mlp(seed);
 *     ...fit net on data...
 *     return MultiLayerNetworkModel.of(net, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ShadowTrainer {

    /**
     * A model trained on {@code data} only.
     *
     * @param data the shadow model's training set
     * @param seed fixes the routine's own random choices (initialization, order)
     */
    Classifier train(LabeledData data, long seed);
}
