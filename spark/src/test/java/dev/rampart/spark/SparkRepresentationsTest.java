package dev.rampart.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.poisoning.ActivationClustering;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.SpectralSignatures;
import java.io.InputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Poison detection with the activations computed on local[2] gives the local reports. */
class SparkRepresentationsTest {

    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() {
        sc = LocalSpark.start("rampart-representations-test");
    }

    @AfterAll
    static void tearDown() {
        sc.close();
    }

    @Test
    void detectorsOnSparkActivationsGiveTheLocalReports() throws Exception {
        MultiLayerNetworkModel model = BundledModels.referenceCnn();
        ShippedModel bytes;
        try (InputStream in = BundledModels.class.getResourceAsStream(BundledModels.REFERENCE_CNN)) {
            bytes = ShippedModel.of("reference-cnn", in.readAllBytes(), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        }
        PoisonedData p = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.05, 5)
                .poison(FashionMnist.bundledTrain().head(1500));
        SpectralSignatures ss = SpectralSignatures.builder(model).expectedPoisonRate(0.3).build();
        ActivationClustering ac = ActivationClustering.builder(model).seed(1).build();
        INDArray r = SparkRepresentations.of(sc, bytes, ss.layer(), p.data(), 3);
        assertEquals(1500, r.size(0));
        for (PoisonReport[] pair : new PoisonReport[][] {{ss.detect(p.data()), ss.detect(p.data(), r)},
            {ac.detect(p.data()), ac.detect(p.data(), r)}}) {
            assertArrayEquals(pair[0].flagged(), pair[1].flagged(), pair[0].detector());
            assertArrayEquals(pair[0].scores(), pair[1].scores(), 1e-9, pair[0].detector());
        }
        assertTrue(ss.detect(p.data(), r).flaggedCount() > 0);
    }
}
