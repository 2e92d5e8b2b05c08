package dev.rampart.core.model.zoo;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ReferenceModelsTest {

    @Test
    void modelsHaveTheirDocumentedSizes() {
        assertEquals(416 + 12_832 + 65_664 + 1_290, ReferenceModels.byName("cnn", 1).numParams());
        assertEquals(200_960 + 65_792 + 2_570, ReferenceModels.byName("mlp", 1).numParams());
        // conv 4x4x16 and 4x4x32 with stride 2 and same padding leave 7x7x32 = 1,568 features
        MultiLayerNetwork strided = ReferenceModels.byName("strided-cnn", 1);
        assertEquals(272 + 8_224 + 156_900 + 1_010, strided.numParams());
        assertArrayEquals(new long[] {3, 10}, strided.output(Nd4j.rand(3, 1, 28, 28)).shape());
    }

    @Test
    void unknownModelNamesAreRefused() {
        assertMessage(() -> ReferenceModels.byName("resnet", 1), "model must be one of [cnn, mlp, strided-cnn, tanh-cnn, scatter-linear], found resnet");
        assertMessage(() -> ReferenceModels.byName(null, 1), "found null");
    }
}
