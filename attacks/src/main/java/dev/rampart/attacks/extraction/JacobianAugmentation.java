package dev.rampart.attacks.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Jacobian-based dataset augmentation (Papernot, McDaniel, Goodfellow, Jha, Celik &amp; Swami,
 * "Practical Black-Box Attacks against Machine Learning", AsiaCCS 2017): start from a small seed
 * set labelled by the victim; each round, train the substitute on everything labelled so far, then
 * add for every point {@code x} the point {@code x + lambda * sign(d p_y(x) / dx)}, where {@code y}
 * is the victim's label of {@code x} and {@code p} the substitute's probabilities (a step that
 * leaves the loss of {@code y}, in the direction where the substitute's decision changes fastest),
 * clipped to the input domain, and ask the victim about the new points. The set doubles each
 * round. With {@code tau > 0} the sign of {@code lambda} flips every {@code tau} rounds (the
 * paper's periodic step size). When a round would exceed the budget, a seeded subset of its new
 * points is asked, so the budget is spent exactly. The substitute must give input gradients
 * ({@link GradientClassifier}); craft transfer attacks on it with {@link TransferAttack}.
 *
 * <pre>{@code
 * ExtractionResult r = JacobianAugmentation.builder(victim).seedSet(x150).budget(5000).lambda(0.1)
 *         .substitute(substitute).heldOut(test).seed(1).build().run();
 * }</pre>
 */
public final class JacobianAugmentation implements ExtractionProbe {

    /**
     * Jacobian augmentation's configuration.
     *
     * @param answers what the victim releases
     * @param budget victim queries in all, the seed set included
     * @param lambda the augmentation step in input units
     * @param tau flip the step's sign every {@code tau} rounds (0: never)
     * @param seed the seed of every random choice
     */
    public record Config(Answers answers, long budget, double lambda, int tau, long seed)
            implements ExtractionProbe.Config {
        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("answers", answers);
            Check.positive("budget", budget);
            Check.positive("lambda", lambda);
            Check.notNegative("tau", tau);
        }
    }

    private final ProbeBuilder.Setup setup;
    private final Config config;
    private final INDArray seedSet;

    private JacobianAugmentation(ProbeBuilder.Setup setup, Config config, INDArray seedSet) {
        this.setup = setup;
        this.config = config;
        this.seedSet = seedSet;
    }

    public static Builder builder(Classifier victim) {
        return new Builder(victim);
    }

    @Override
    public String name() {
        return String.format(Locale.ROOT, "Jacobian augmentation (lambda %.3g%s)", config.lambda(),
                config.tau() > 0 ? ", tau " + config.tau() : "");
    }

    @Override
    public Config config() {
        return config;
    }

    /** Runs the probe; the curve has one point per round (queries spent when the substitute was trained). */
    @Override
    public ExtractionResult run() {
        long t0 = System.nanoTime();
        Classifier victim = setup.victim();
        QueryRecorder api = new QueryRecorder(victim, config.answers(), config.budget());
        HeldOut held = setup.held();
        INDArray x = seedSet.dup();
        INDArray y = api.ask(x);
        List<ExtractionResult.Point> curve = new ArrayList<>();
        TrainableModel model;
        for (int round = 0;; round++) {
            model = setup.substitute().train(victim, x, y, Seeds.derive(config.seed(), 10, round));
            curve.add(held.point(api.spent(), model));
            if (api.remaining() == 0) {
                break;
            }
            double step = config.tau() > 0 && (round / config.tau()) % 2 == 1 ? -config.lambda() : config.lambda();
            INDArray grad = ((GradientClassifier) model).lossGradient(x.dup(),
                    Labels.oneHot(Labels.argmax(y), victim.numClasses()));
            // the loss of y is -log p_y: its gradient's sign is the opposite of p_y's
            INDArray fresh = victim.domain().clipInPlace(x.sub(Transforms.sign(grad).castTo(x.dataType()).muli(step)));
            if (fresh.size(0) > api.remaining()) {
                int[] keep = Seeds.sample((int) fresh.size(0), (int) api.remaining(),
                        Seeds.random(Seeds.derive(config.seed(), 20, round)));
                Arrays.sort(keep);
                fresh = Rows.gather(fresh, keep);
            }
            INDArray answers = api.ask(fresh);
            x = Nd4j.concat(0, x, fresh);
            y = Nd4j.concat(0, y, answers);
        }
        return ExtractionResult.of(this, api.spent(), model, curve, t0);
    }

    /**
     * Builds a {@link JacobianAugmentation} probe; every value is checked in {@link #build()}, which
     * copies the settings into the probe's {@link Config} and the seed set into the probe.
     */
    public static final class Builder extends ProbeBuilder<Builder> {
        private INDArray seedSet;
        private long budget;
        private double lambda = 0.1;
        private int tau;

        private Builder(Classifier victim) {
            super(victim, Answers.LABELS);
        }

        /** The attacker's initial inputs (Papernot et al. use 150 test images, 15 per class). */
        public Builder seedSet(INDArray seedSet) {
            this.seedSet = seedSet;
            return this;
        }

        /** Victim queries in all, the seed set included. */
        public Builder budget(long budget) {
            this.budget = budget;
            return this;
        }

        /** The augmentation step in input units (default 0.1, the paper's value for MNIST). */
        public Builder lambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /** Flip the step's sign every {@code tau} rounds (default 0: never). */
        public Builder tau(int tau) {
            this.tau = tau;
            return this;
        }

        /** Jacobian augmentation differentiates the substitute. */
        @Override
        void checkSubstitute(TrainableModel sample) {
            if (!(sample instanceof GradientClassifier)) {
                throw new IllegalArgumentException("substitute must give input gradients (a GradientClassifier)"
                        + " for Jacobian augmentation");
            }
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public JacobianAugmentation build() {
            Check.notNull("seedSet", seedSet);
            if (seedSet.rank() > 0 && seedSet.size(0) == 0) {
                throw new IllegalArgumentException("seedSet is empty");
            }
            Inputs.checkBatch(victim, seedSet, "seedSet");
            Inputs.checkFiniteInDomain(seedSet, victim.domain(), "seedSet");
            ProbeBuilder.Setup setup = checkCommon();
            Check.positive("budget", budget);
            if (seedSet.size(0) > budget) {
                throw new IllegalArgumentException("the seed set of " + seedSet.size(0) + " exceeds the budget of "
                        + budget);
            }
            if (!(lambda > 0 && lambda <= victim.domain().width())) {
                throw new IllegalArgumentException("lambda must be in (0, " + victim.domain().width() + "], found "
                        + lambda);
            }
            Check.notNegative("tau", tau);
            return new JacobianAugmentation(setup, new Config(answers, budget, lambda, tau, seed),
                    seedSet.dup('c'));
        }
    }
}
