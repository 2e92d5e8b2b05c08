package dev.rampart.attacks.poisoning;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjective;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.ActivationGradientModel;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
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
 * {@link ActivationGradientModel#activationGradient}), then the proximal step of the input term,
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
public final class FeatureCollision implements PoisoningAttack {

    /**
     * Feature collision's configuration.
     *
     * @param target the image the poisons' features imitate (one example of the model's input shape)
     * @param baseClass the class of the bases, and the label the attacker wants for the target
     * @param poisons number of poisons
     * @param layer the feature layer
     * @param steps forward-backward steps
     * @param learningRate the forward step size
     * @param beta the input-space weight, or empty for {@code 0.25 (D_f / D_b)^2} (Shafahi et al.)
     * @param watermark opacity of the target blended into each base first, in [0, 1)
     * @param seed fixes which bases are poisoned
     */
    public record Config(INDArray target, int baseClass, int poisons, String layer, int steps, double learningRate,
            OptionalDouble beta, double watermark, long seed) implements PoisoningAttack.Config {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            Check.notNull("target", target);
            Check.finite(target, "target");
            if (baseClass < 0) {
                throw new IllegalArgumentException("baseClass must be a class (>= 0), found " + baseClass);
            }
            Check.positive("poisons", poisons);
            Check.notNull("layer", layer);
            Check.positive("steps", steps);
            Check.positive("learningRate", learningRate);
            Check.notNull("beta", beta);
            if (beta.isPresent()) {
                Check.finiteNotNegative("beta", beta.getAsDouble());
            }
            Check.shareFromZero("watermark", watermark);
            target = target.dup('c');
        }

        @Override
        public INDArray target() {
            return target.dup();
        }
    }

    private final ActivationGradientModel model;
    private final Config config;

    private FeatureCollision(ActivationGradientModel model, Config config) {
        this.model = model;
        this.config = config;
    }

    /**
     * A builder on {@code model}; {@link Builder#build()} checks that it gives activation gradients
     * at the chosen layer.
     */
    public static Builder builder(ActivationModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "feature collision";
    }

    @Override
    public Config config() {
        return config;
    }

    /**
     * Replaces {@code poisons} random examples of the base class of {@code clean} by their poisons.
     *
     * @return the poisoned data, with the figures {@code meanFeatureDistance} (squared, poisons to
     *     target), {@code basesFeatureDistance} (the bases' before) and {@code beta}
     * @throws IllegalArgumentException if the data has too few base-class examples or does not fit
     *     the model
     */
    @Override
    public PoisonedData poison(LabeledData clean) {
        Check.notNull("clean", clean);
        Inputs.checkData(model, clean, "clean");
        Check.label("baseClass", config.baseClass(), clean.numClasses());
        int[] chosen = PoisonSampling.choose(PoisonSampling.where(clean.labels(), c -> c == config.baseClass()),
                config.poisons(), Seeds.derive(config.seed(), 1));
        String layer = config.layer();
        try (MemoryWorkspace outside = Workspaces.outside()) { // results are ordinary arrays
            INDArray bases = Rows.gather(clean.features(), chosen).castTo(model.dataType());
            INDArray t = config.target.reshape(prepend(model.inputShape())).castTo(model.dataType());
            INDArray ft = model.activations(t, layer).reshape(1, -1);
            double b = config.beta().orElse(0.25 * Math.pow((double) ft.length() / t.length(), 2));
            double lr = config.learningRate();
            InputDomain domain = model.domain();
            INDArray x = bases.dup();
            if (config.watermark() > 0) {
                x.muli(1 - config.watermark()).addi(Nd4j.repeat(t, (int) bases.size(0)).reshape(bases.shape())
                        .mul(config.watermark()));
            }
            LogitObjective toward = z -> {
                INDArray diff = z.subRowVector(ft.castTo(z.dataType()));
                return new LogitObjective.Value(diff.mul(diff).sum(1), diff.mul(2));
            };
            double distance = Double.NaN;
            for (int s = 0; s < config.steps(); s++) {
                try (MemoryWorkspace ws = Workspaces.loop()) { // x is updated in place
                    LogitGradient g = model.activationGradient(x, layer, toward);
                    distance = g.value().meanNumber().doubleValue();
                    x.subi(g.gradient().mul(lr));
                    x.addi(bases.mul(lr * b)).divi(1 + lr * b);
                    domain.clipInPlace(x);
                }
            }
            INDArray all = clean.features().dup();
            Rows.scatter(all, chosen, x.castTo(all.dataType()));
            double before = sqDist(model.activations(bases, layer).reshape(bases.size(0), -1), ft).meanNumber()
                    .doubleValue();
            return new PoisonedData(new LabeledData(clean.name() + ":feature-collision", all, clean.labels(),
                    clean.numClasses()), chosen, name(), config, Map.of("meanFeatureDistance", distance,
                    "basesFeatureDistance", before, "beta", b), Provenance.current());
        }
    }

    private static INDArray sqDist(INDArray a, INDArray row) {
        INDArray d = a.subRowVector(row);
        return d.mul(d).sum(1);
    }

    /** The target image labelled as the base class: a model's accuracy on it is the attack's success. */
    public LabeledData attackTest() {
        return new LabeledData("feature-collision-target", config.target.reshape(prepend(model.inputShape())).dup(),
                new int[] {config.baseClass()}, model.numClasses());
    }

    /** The target image labelled as the base class, whatever the test set ({@link #attackTest()}). */
    @Override
    public LabeledData attackTest(LabeledData test) {
        return attackTest();
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
        private OptionalDouble beta = OptionalDouble.empty();
        private double watermark;
        private long seed;

        private Builder(ActivationModel model) {
            this.model = Check.notNull("model", model);
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
            this.beta = OptionalDouble.of(beta);
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

        /**
         * @throws IllegalArgumentException naming the first invalid value, or if the model gives no
         *     activation gradients at the layer
         */
        public FeatureCollision build() {
            if (target == null || target.length() != java.util.Arrays.stream(model.inputShape()).reduce(1, (a, b) -> a * b)) {
                throw new IllegalArgumentException("target must be one example of shape "
                        + java.util.Arrays.toString(model.inputShape()) + ", found "
                        + (target == null ? "none" : java.util.Arrays.toString(target.shape())));
            }
            Config config = new Config(target, baseClass, poisons, layer, steps, learningRate, beta, watermark, seed);
            Check.label("baseClass", baseClass, model.numClasses());
            if (!model.layerNames().contains(layer)) {
                throw new IllegalArgumentException("layer '" + layer + "' is not one of " + model.layerNames());
            }
            ActivationGradientModel g = Capabilities.activationGradients(model, layer, "feature collision");
            if (target.minNumber().doubleValue() < model.domain().min()
                    || target.maxNumber().doubleValue() > model.domain().max()) {
                throw new IllegalArgumentException("target has values in [" + target.minNumber() + ", "
                        + target.maxNumber() + "], outside the model's input domain " + model.domain());
            }
            return new FeatureCollision(g, config);
        }
    }
}
