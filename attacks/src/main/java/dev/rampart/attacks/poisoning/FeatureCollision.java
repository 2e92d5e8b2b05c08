package dev.rampart.attacks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.random.Seeds;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Clean-label poisoning by feature collision ("Poison frogs!", Shafahi, Huang, Najibi, Suciu,
 * Studer, Dumitras &amp; Goldstein, NeurIPS 2018): base images of one class are perturbed so that
 * their features at a layer (by default the last hidden one) collide with those of a target image
 * of another class, while staying close to the bases in input space; their labels stay correct,
 * so a reviewer sees nothing wrong. A model trained on them (fine-tuned, in the paper's strongest
 * setting) classifies the target as the base class.
 *
 * <p>Each poison solves {@code min_x ||f(x) - f(t)||^2 + beta ||x - b||^2} by forward-backward
 * splitting: a gradient step on the feature term (through
 * {@link ActivationModel#activationGradient}), then the proximal step of the input term,
 * {@code x = (x + lr beta b) / (1 + lr beta)}, then clipping to the domain. {@code beta} trades
 * feature collision against visibility; it defaults to the paper's {@code 0.25 (D_f / D_b)^2} for
 * feature and input sizes {@code D_f}, {@code D_b}, a formula set for Inception-v3 features of
 * 0-255 images, which lets poisons move far from their bases on small networks and [0, 1] inputs:
 * set it for your model (on the reference CNN, 0.5 halves the feature distance in 150 steps of
 * 0.05 while moving each image by an L2 distance of about 7). For end-to-end training the paper blends the target into each base at opacity
 * 0.3 first ("watermarking"); {@link Builder#watermark} sets it.
 *
 * <pre>{@code
 * FeatureCollision fc = FeatureCollision.builder(model).target(shirt).baseClass(0).poisons(50).build();
 * PoisonedData p = fc.poison(train);               // 50 T-shirts replaced by their poisons, labels unchanged
 * LabeledData goal = fc.attackTest();              // the target, labelled as the base class
 * }</pre>
 */
public final class FeatureCollision {

    private final ActivationModel model;
    private final INDArray target;
    private final int baseClass;
    private final int poisons;
    private final String layer;
    private final int steps;
    private final double learningRate;
    private final double beta;
    private final double watermark;
    private final long seed;

    private FeatureCollision(Builder b) {
        this.model = b.model;
        this.target = b.target;
        this.baseClass = b.baseClass;
        this.poisons = b.poisons;
        this.layer = b.layer;
        this.steps = b.steps;
        this.learningRate = b.learningRate;
        this.beta = b.beta;
        this.watermark = b.watermark;
        this.seed = b.seed;
    }

    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    /**
     * Replaces {@code poisons} random examples of the base class of {@code clean} by their poisons.
     *
     * @return the poisoned data; {@code attack} also gives the mean feature distance reached
     * @throws IllegalArgumentException if the data has too few base-class examples or does not fit
     *     the model
     */
    public PoisonedData poison(LabeledData clean) {
        if (clean == null) {
            throw new IllegalArgumentException("clean must not be null");
        }
        Inputs.checkData(model, clean, "clean");
        PoisonChecks.label(baseClass, clean.numClasses(), "baseClass");
        int[] chosen = PoisonChecks.choose(PoisonChecks.where(clean.labels(), c -> c == baseClass), poisons,
                Seeds.derive(seed, 1));
        INDArray bases = Rows.gather(clean.features(), chosen).castTo(model.dataType());
        INDArray t = target.reshape(prepend(model.inputShape())).castTo(model.dataType());
        INDArray ft = model.activations(t, layer).reshape(1, -1);
        long dIn = t.length();
        long dFeat = ft.length();
        double b = Double.isNaN(beta) ? 0.25 * Math.pow((double) dFeat / dIn, 2) : beta;
        InputDomain domain = model.domain();
        INDArray x = bases.dup();
        if (watermark > 0) {
            x.muli(1 - watermark).addi(Nd4j.repeat(t, (int) bases.size(0)).reshape(bases.shape()).mul(watermark));
        }
        LogitObjective toward = z -> {
            INDArray diff = z.subRowVector(ft.castTo(z.dataType()));
            return new LogitObjective.Value(diff.mul(diff).sum(1), diff.mul(2));
        };
        double distance = Double.NaN;
        for (int s = 0; s < steps; s++) {
            LogitGradient g = model.activationGradient(x, layer, toward);
            distance = g.value().meanNumber().doubleValue();
            x.subi(g.gradient().mul(learningRate));
            x.addi(bases.mul(learningRate * b)).divi(1 + learningRate * b);
            domain.clipInPlace(x);
        }
        INDArray all = clean.features().dup();
        Rows.scatter(all, chosen, x.castTo(all.dataType()));
        double before = sqDist(model.activations(bases, layer).reshape(bases.size(0), -1), ft).meanNumber()
                .doubleValue();
        String what = String.format(Locale.ROOT, "feature collision at layer '%s', %d poisons of class %d, beta %.3g,"
                + " watermark %.2f, mean squared feature distance to the target %.4g (bases: %.4g)", layer, poisons,
                baseClass, b, watermark, distance, before);
        return new PoisonedData(new LabeledData(clean.name() + ":feature-collision", all, clean.labels(),
                clean.numClasses()), chosen, what);
    }

    private static INDArray sqDist(INDArray a, INDArray row) {
        INDArray d = a.subRowVector(row);
        return d.mul(d).sum(1);
    }

    /** The target image labelled as the base class: a model's accuracy on it is the attack's success. */
    public LabeledData attackTest() {
        return new LabeledData("feature-collision-target", target.reshape(prepend(model.inputShape())).dup(),
                new int[] {baseClass}, model.numClasses());
    }

    private static long[] prepend(long[] shape) {
        long[] out = new long[shape.length + 1];
        out[0] = 1;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /** Builds a {@link FeatureCollision}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final ActivationModel model;
        private INDArray target;
        private int baseClass = -1;
        private int poisons = 50;
        private String layer;
        private int steps = 200;
        private double learningRate = 0.01;
        private double beta = Double.NaN;
        private double watermark;
        private long seed;

        private Builder(ActivationModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
            List<String> names = model.layerNames();
            this.layer = names.size() >= 2 ? names.get(names.size() - 2) : null;
        }

        /** The image the poisons' features imitate (one example of the model's input shape). */
        public Builder target(INDArray target) {
            this.target = target;
            return this;
        }

        /** The class of the bases (and the label the attacker wants for the target). */
        public Builder baseClass(int c) {
            this.baseClass = c;
            return this;
        }

        /** Number of poisons (default 50). */
        public Builder poisons(int n) {
            this.poisons = n;
            return this;
        }

        /** The feature layer (default: the one before the output layer). */
        public Builder layer(String layer) {
            this.layer = layer;
            return this;
        }

        /** Forward-backward steps (default 200). */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** The forward step size (default 0.01). */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** The input-space weight (default: 0.25 (D_f / D_b)^2, after Shafahi et al.). */
        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        /** Opacity of the target blended into each base first (default 0; 0.3 in the paper's end-to-end runs). */
        public Builder watermark(double opacity) {
            this.watermark = opacity;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public FeatureCollision build() {
            if (target == null || target.length() != java.util.Arrays.stream(model.inputShape()).reduce(1, (a, b) -> a * b)) {
                throw new IllegalArgumentException("target must be one example of shape "
                        + java.util.Arrays.toString(model.inputShape()) + ", found "
                        + (target == null ? "none" : java.util.Arrays.toString(target.shape())));
            }
            dev.rampart.core.check.Check.finite(target, "target");
            if (target.minNumber().doubleValue() < model.domain().min()
                    || target.maxNumber().doubleValue() > model.domain().max()) {
                throw new IllegalArgumentException("target has values in [" + target.minNumber() + ", "
                        + target.maxNumber() + "], outside the model's input domain " + model.domain());
            }
            PoisonChecks.label(baseClass, model.numClasses(), "baseClass");
            if (poisons <= 0) {
                throw new IllegalArgumentException("poisons must be positive, found " + poisons);
            }
            if (layer == null || !model.layerNames().contains(layer)) {
                throw new IllegalArgumentException("layer '" + layer + "' is not one of " + model.layerNames());
            }
            if (steps <= 0) {
                throw new IllegalArgumentException("steps must be positive, found " + steps);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be positive and finite, found " + learningRate);
            }
            if (!Double.isNaN(beta) && !(beta >= 0 && beta < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("beta must be finite and >= 0, found " + beta);
            }
            if (!(watermark >= 0 && watermark < 1)) {
                throw new IllegalArgumentException("watermark must be in [0, 1), found " + watermark);
            }
            return new FeatureCollision(this);
        }
    }
}
