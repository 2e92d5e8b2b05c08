package dev.rampart.attacks.inference;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Shadow models for membership inference: {@code count} models trained by the user's
 * {@link TrainingRoutine}, each on a random half of a population of labelled examples, and their
 * answers on the whole population. Inclusion is balanced as in Carlini et al. ("Membership
 * inference attacks from first principles", S&amp;P 2022): every example is in the training set of
 * exactly {@code count / 2} models, so that each example has as many "in" as "out" models. Examples
 * marked as excluded are never trained on: they are the candidates of offline attacks.
 *
 * <p>Only the models' answers ({@link Confidences}) are kept, not the models, so memory is
 * {@code count x population x 6} doubles.
 *
 * <pre>{@code
 * ShadowModels shadows = ShadowModels.train(population, trainer, 16, 42, null);
 * MembershipScores s = Lira.online(shadows).score(target, Candidates.of(shadows, candidates));
 * }</pre>
 */
public final class ShadowModels {

    private final LabeledData population;
    private final boolean[][] in;
    private final Confidences[] answers;
    private final long seed;

    private ShadowModels(LabeledData population, boolean[][] in, Confidences[] answers, long seed) {
        this.population = population;
        this.in = in;
        this.answers = answers;
        this.seed = seed;
    }

    /**
     * Trains {@code count} shadow models.
     *
     * @param population the examples the shadows train on and are queried on
     * @param trainer the user's training routine
     * @param count an even number of models, at least 2
     * @param seed fixes the split and each model's seed
     * @param excluded indices of the population that no model trains on ({@code null}: none)
     * @throws IllegalArgumentException naming an invalid count or index, or if a trainer returns a
     *     model that does not fit the population
     */
    public static ShadowModels train(LabeledData population, TrainingRoutine trainer, int count, long seed,
            int[] excluded) {
        return train(population, trainer, count, seed, excluded, i -> { });
    }

    /** As {@link #train(LabeledData, TrainingRoutine, int, long, int[])}, told after each model. */
    public static ShadowModels train(LabeledData population, TrainingRoutine trainer, int count, long seed,
            int[] excluded, IntConsumer afterModel) {
        return train(population, trainer, count, seed, excluded, (n, shadow) -> {
            Confidences[] answers = new Confidences[n];
            for (int s = 0; s < n; s++) {
                answers[s] = shadow.train(s);
                afterModel.accept(s);
            }
            return answers;
        });
    }

    /** Training one shadow model and keeping its answers: a self-contained, serializable task. */
    @FunctionalInterface
    public interface Shadow extends java.io.Serializable {
        /** Trains shadow {@code s} and returns its answers on the whole population. */
        Confidences train(int s);
    }

    /**
     * Where the shadows are trained: one after the other here, or in parallel elsewhere (the
     * rampart-spark module trains them as Spark tasks). Each shadow's data and seed depend only on
     * its index, so every runner gives the same shadows.
     */
    @FunctionalInterface
    public interface Runner {
        /** Runs {@code shadow} for 0, 1, ..., {@code count - 1} and returns the answers in that order. */
        Confidences[] run(int count, Shadow shadow);
    }

    /**
     * As {@link #train(LabeledData, TrainingRoutine, int, long, int[])}, the shadows trained by
     * {@code runner}. For a runner that ships tasks to other JVMs, {@code trainer} must be
     * serializable (for a lambda: {@code (TrainingRoutine & Serializable) (data, seed) -> ...}).
     */
    public static ShadowModels train(LabeledData population, TrainingRoutine trainer, int count, long seed,
            int[] excluded, Runner runner) {
        if (population == null || trainer == null || runner == null) {
            throw new IllegalArgumentException("population, trainer and runner must not be null");
        }
        if (count < 2 || count % 2 != 0) {
            throw new IllegalArgumentException("count must be an even number of at least 2, found " + count);
        }
        boolean[] out = excludedMask(excluded, population.size());
        boolean[][] in = split(population.size(), count, out, Seeds.random(Seeds.derive(seed, 11)));
        for (int s = 0; s < count; s++) {
            if (Rows.where(in[s], true).length == 0) {
                throw new IllegalArgumentException("shadow model " + s + " would train on no example: the population"
                        + " has too few examples that are not excluded");
            }
        }
        Shadow shadow = s -> {
            int[] idx = Rows.where(in[s], true);
            LabeledData part = population.rows(idx, population.name() + ":shadow-" + s);
            Classifier model = trainer.train(part, Seeds.derive(seed, 12, s));
            if (model == null) {
                throw new IllegalArgumentException("the shadow trainer returned no model for shadow " + s);
            }
            return Confidences.of(model, population);
        };
        Confidences[] answers = runner.run(count, shadow);
        if (answers == null || answers.length != count) {
            throw new IllegalStateException("the runner returned " + (answers == null ? "nothing" : answers.length
                    + " answers") + " for " + count + " shadows");
        }
        return new ShadowModels(population, in, answers, seed);
    }

    private static boolean[] excludedMask(int[] excluded, int n) {
        boolean[] out = new boolean[n];
        if (excluded != null) {
            for (int i : excluded) {
                if (i < 0 || i >= n) {
                    throw new IllegalArgumentException("excluded index " + i + " is outside the population [0, " + n
                            + ")");
                }
                out[i] = true;
            }
        }
        return out;
    }

    /** Each example not excluded goes into exactly {@code count / 2} models, chosen at random. */
    static boolean[][] split(int n, int count, boolean[] excluded, SplittableRandom rnd) {
        boolean[][] in = new boolean[count][n];
        for (int i = 0; i < n; i++) {
            if (!excluded[i]) {
                for (int s : Seeds.sample(count, count / 2, rnd)) {
                    in[s][i] = true;
                }
            }
        }
        return in;
    }

    /** The population the shadows trained on. */
    public LabeledData population() {
        return population;
    }

    /** Number of shadow models. */
    public int count() {
        return in.length;
    }

    /** Whether shadow {@code s} trained on population example {@code i}. */
    public boolean in(int s, int i) {
        return in[s][i];
    }

    /** Shadow {@code s}'s answers on the whole population. */
    public Confidences answers(int s) {
        return answers[s];
    }

    /** The seed the split and the models came from. */
    public long seed() {
        return seed;
    }

    /**
     * The population indices of {@code candidates}, checked.
     *
     * @throws IllegalArgumentException if empty or out of range
     */
    int[] checkCandidates(int[] candidates) {
        if (candidates == null || candidates.length == 0) {
            throw new IllegalArgumentException("candidates must not be empty");
        }
        for (int i : candidates) {
            if (i < 0 || i >= population.size()) {
                throw new IllegalArgumentException("candidate index " + i + " is outside the population [0, "
                        + population.size() + ")");
            }
        }
        return Arrays.copyOf(candidates, candidates.length);
    }
}
