package dev.rampart.attacks.poisoning;

import static dev.rampart.core.testing.Errors.assertMessage;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.InputDomain;
import java.util.List;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Feature collision through the poisoning contract (few steps: the contract checks bookkeeping). */
class FeatureCollisionTest extends PoisoningAttackContract {

    private final MultiLayerNetworkModel cnn = Fixtures.trainedCnn();

    @Override
    protected PoisoningAttack make(long seed) {
        INDArray shirt = data.features().slice(java.util.Arrays.stream(data.labels()).boxed().toList().indexOf(6));
        return FeatureCollision.builder(cnn).target(shirt).baseClass(0).poisons(8).steps(3).beta(0.5)
                .learningRate(0.05).seed(seed).build();
    }

    @Override
    protected int expectedCount(LabeledData clean) {
        return 8;
    }

    /** A model without activation gradients at the layer is refused when the attack is built. */
    @Test
    void aModelWithoutActivationGradientsIsRefusedAtBuildTime() {
        INDArray shirt = data.features().slice(0);
        assertMessage(() -> FeatureCollision.builder(cnn).target(shirt).baseClass(0).layer(cnn.layerNames().get(0))
                .build(), "feature collision needs activation gradients at layer");
        ActivationModel activationsOnly = new ActivationModel() { // reads activations, gives no gradients of them
            @Override
            public int numClasses() {
                return cnn.numClasses();
            }

            @Override
            public long[] inputShape() {
                return cnn.inputShape();
            }

            @Override
            public InputDomain domain() {
                return cnn.domain();
            }

            @Override
            public INDArray predictProbabilities(INDArray x) {
                return cnn.predictProbabilities(x);
            }

            @Override
            public ActivationModel copy() {
                return this;
            }

            @Override
            public List<String> layerNames() {
                return cnn.layerNames();
            }

            @Override
            public INDArray activations(INDArray x, String layer) {
                return cnn.activations(x, layer);
            }
        };
        assertMessage(() -> FeatureCollision.builder(activationsOnly).target(shirt).baseClass(0).build(),
                "does not give them");
    }
}
