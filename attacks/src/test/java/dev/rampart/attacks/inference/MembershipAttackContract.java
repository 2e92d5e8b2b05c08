package dev.rampart.attacks.inference;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every membership attack must satisfy: one finite score per candidate, with the attack's
 * configuration and provenance; the same scores twice; the candidates untouched; and chance (AUC
 * near 0.5) when members and non-members are exchangeable, that is when the target trained on
 * neither. The fixture (an MLP trained on 200 bundled images, 8 shadow models) is made once per
 * JVM. An attack's test supplies {@link #make}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MembershipAttackContract {

    private static LabeledData population;
    private static Classifier outsider;
    private static ShadowModels shadows;

    /** Population examples 0-399: the candidates; 0-199 are called members. */
    protected static final int[] CANDIDATES = java.util.stream.IntStream.range(0, 400).toArray();
    protected static final boolean[] IS_MEMBER = new boolean[400];

    static {
        for (int i = 0; i < 200; i++) {
            IS_MEMBER[i] = true;
        }
    }

    /** The attack under test, built on {@code shadows} where it needs them. */
    protected abstract MembershipAttack make(ShadowModels shadows);

    /** The candidates the attack scores: examples {@code idx} of the shadows' population. */
    protected Candidates candidates(ShadowModels shadows, int... idx) {
        return Candidates.of(shadows, idx);
    }

    @BeforeAll
    void fixture() {
        synchronized (MembershipAttackContract.class) {
            if (population == null) {
                try {
                    population = FashionMnist.bundledTrain().head(800);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                // trained on 400-799: candidates 0-399 are all non-members, so the two halves are exchangeable
                outsider = MembershipInferenceTest.TRAINER.train(population.slice(400, 800), 98);
                shadows = ShadowModels.train(population, MembershipInferenceTest.TRAINER, 8, 5, null);
            }
        }
    }

    @Test
    void aFiniteScorePerCandidateWithConfigAndProvenance() {
        MembershipAttack attack = make(shadows);
        Candidates c = candidates(shadows, CANDIDATES);
        INDArray before = c.data().features().dup();
        MembershipScores s = attack.score(outsider, c);
        assertEquals(400, s.scores().length);
        for (double v : s.scores()) {
            assertTrue(Double.isFinite(v));
        }
        assertTrue(Double.isFinite(s.threshold()));
        assertArrayEquals(c.data().labels(), s.labels());
        assertEquals(attack.config(), s.config());
        assertEquals(attack.name(), s.attack());
        assertEquals("1.0.0-M2.1", s.provenance().nd4jVersion());
        assertEquals(before, c.data().features(), "the candidates are not modified");
        assertArrayEquals(s.scores(), make(shadows).score(outsider, candidates(shadows, CANDIDATES)).scores(), 0,
                "the same scores twice");
    }

    @Test
    void exchangeableMembersAndNonMembersGiveChance() {
        MembershipEvaluation e = MembershipEvaluation.of(make(shadows).score(outsider, candidates(shadows,
                CANDIDATES)), IS_MEMBER);
        assertTrue(Math.abs(e.auc() - 0.5) < 0.1, e.attack() + " AUC " + e.auc() + " on exchangeable candidates");
        assertEquals(make(shadows).config(), e.config());
    }

    @Test
    void missingArgumentsAreNamed() {
        MembershipAttack attack = make(shadows);
        assertMessage(() -> attack.score(outsider, null), "candidates must not be null");
    }
}
