package dev.rampart.attacks.extraction;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.BundledModels;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every extraction probe must satisfy: it spends exactly its budget (the evaluator's one pass
 * over the held-out set aside); the result carries the probe's configuration and provenance; the
 * same probe gives the same result twice; the pool is not modified and a view of it gives the same
 * result as a dense copy; and changing the builder after {@code build()} does not change the
 * probe. A probe's test supplies {@link #configure} with a small budget; the substitute is an MLP
 * trained for two epochs, so the figures themselves are not judged here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ExtractionProbeContract {

    protected static final Substitute SMALL = new Substitute(seed -> MultiLayerNetworkModel.of(
            ReferenceModels.mlp(seed), ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), 2, 32);

    private static Classifier victim;
    private static LabeledData pool;
    private static LabeledData heldOut;
    private final AtomicLong asked = new AtomicLong();
    private Classifier counted;

    /**
     * A builder of the probe under test against {@code victim}, with its pool (or seed set) taken
     * from {@code pool}, a budget, {@link #SMALL} as substitute and seed 1; the contract sets the
     * held-out set.
     */
    protected abstract ProbeBuilder<?> configure(Classifier victim, INDArray pool, int[] poolLabels);

    /** Builds the configured probe. */
    protected abstract ExtractionProbe build(ProbeBuilder<?> builder);

    @BeforeAll
    void fixture() {
        synchronized (ExtractionProbeContract.class) {
            if (victim == null) {
                try {
                    victim = BundledModels.referenceCnn();
                    pool = FashionMnist.bundledTrain().head(400);
                    heldOut = FashionMnist.bundledTest().head(200);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        counted = new BlackBoxModel(x -> {
            asked.addAndGet(x.size(0));
            return victim.predictProbabilities(x);
        }, 10, ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
    }

    private ExtractionProbe probe(Classifier v, INDArray x) {
        return build(configure(v, x, pool.labels()).heldOut(heldOut));
    }

    @Test
    void spendsExactlyItsBudgetAndSaysHowTheResultWasMade() {
        ExtractionProbe probe = probe(counted, pool.features());
        long before = asked.get();
        ExtractionResult r = probe.run();
        assertEquals(probe.config().budget(), r.queries());
        assertEquals(probe.config().budget() + heldOut.size(), asked.get() - before,
                "the budget, and one pass over the held-out set by the evaluator");
        assertEquals(probe.config(), r.config());
        assertEquals(probe.name(), r.probe());
        assertEquals(probe.config().seed(), r.seed());
        assertEquals("1.0.0-M2.1", r.provenance().nd4jVersion());
        assertEquals(r.queries(), r.curve().get(r.curve().size() - 1).queries());
        assertEquals(r.fidelity(), r.curve().get(r.curve().size() - 1).fidelity());
        assertTrue(r.fidelity() >= 0 && r.fidelity() <= 1 && r.accuracy() >= 0 && r.accuracy() <= 1, r.toString());
    }

    @Test
    void theSameProbeGivesTheSameResultTwiceAndLeavesItsInputsAlone() {
        INDArray x = pool.features().dup();
        INDArray held = heldOut.features().dup();
        ExtractionProbe probe = probe(victim, x);
        ExtractionResult a = probe.run();
        ExtractionResult b = probe.run();
        assertEquals(a.curve(), b.curve());
        assertEquals(a.substitute().predictProbabilities(held.dup()), b.substitute().predictProbabilities(held.dup()));
        assertEquals(pool.features(), x, "the pool is not modified");
        assertEquals(held, heldOut.features(), "the held-out set is not modified");
    }

    @Test
    void aViewOfThePoolGivesTheSameResultAsADenseCopy() {
        INDArray wide = Nd4j.concat(0, pool.features(), pool.features());
        INDArray view = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(400, 800));
        INDArray fortran = pool.features().dup('f');
        ExtractionResult dense = probe(victim, pool.features()).run();
        assertEquals(dense.curve(), probe(victim, view).run().curve(), "a row view");
        assertEquals(dense.curve(), probe(victim, fortran).run().curve(), "Fortran order");
    }

    @Test
    void theBuilderCannotChangeABuiltProbe() {
        ProbeBuilder<?> builder = configure(victim, pool.features(), pool.labels()).heldOut(heldOut);
        ExtractionProbe probe = build(builder);
        ExtractionProbe.Config before = probe.config();
        ExtractionResult expected = probe.run();
        builder.seed(99).answers(before.answers() == Answers.LABELS ? Answers.PROBABILITIES : Answers.LABELS)
                .heldOut(heldOut.head(50));
        assertEquals(before, probe.config());
        ExtractionResult after = probe.run();
        assertEquals(expected.curve(), after.curve());
        assertEquals(before.answers(), after.answers());
        assertNotEquals(before, build(builder).config(), "a new build sees the new settings");
    }

    @Test
    void missingSettingsAreNamed() {
        assertMessage(() -> build(configure(victim, pool.features(), pool.labels())), "heldOut must not be null");
        assertMessage(() -> build(configure(victim, pool.features(), pool.labels()).heldOut(heldOut)
                .substitute(null)), "substitute must not be null");
        assertMessage(() -> build(configure(victim, pool.features(), pool.labels()).heldOut(heldOut)
                .answers(null)), "answers must not be null");
        LabeledData wrongClasses = new LabeledData("twelve", heldOut.features(), heldOut.labels(), 12);
        assertMessage(() -> build(configure(victim, pool.features(), pool.labels()).heldOut(wrongClasses)),
                "heldOut has 12 classes, the victim 10");
    }
}
