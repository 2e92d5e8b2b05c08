package dev.rampart.attacks.inference;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import java.util.Optional;

/**
 * The examples a membership attack scores: any labelled examples, or examples of a shadow-model
 * population named by their indices in it (the attacks that compare each candidate with the shadows
 * that did and did not train on it, such as LiRA, need those).
 *
 * <pre>{@code
 * Candidates any = Candidates.of(suspects);
 * Candidates known = Candidates.of(shadows, 0, 1, 2);    // population examples 0, 1 and 2
 * }</pre>
 */
public final class Candidates {

    private final LabeledData data;
    private final ShadowModels shadows;
    private final int[] indices;

    private Candidates(LabeledData data, ShadowModels shadows, int[] indices) {
        this.data = data;
        this.shadows = shadows;
        this.indices = indices;
    }

    /** Any labelled examples. */
    public static Candidates of(LabeledData data) {
        return new Candidates(Check.notNull("candidates", data), null, null);
    }

    /**
     * Examples {@code indices} of {@code shadows}' population.
     *
     * @throws IllegalArgumentException if an index is outside the population, or none is given
     */
    public static Candidates of(ShadowModels shadows, int... indices) {
        Check.notNull("shadows", shadows);
        int[] idx = shadows.checkCandidates(indices);
        LabeledData p = shadows.population();
        return new Candidates(p.rows(idx, p.name()), shadows, idx);
    }

    /** The examples. */
    public LabeledData data() {
        return data;
    }

    /** The candidates' indices in {@code shadows}' population, if they were drawn from it. */
    public Optional<int[]> indicesIn(ShadowModels shadows) {
        return this.shadows == shadows && shadows != null ? Optional.of(indices.clone()) : Optional.empty();
    }

    /** Number of candidates. */
    public int size() {
        return data.size();
    }
}
