package dev.rampart.attacks.inference;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Model inversion by MI-Face, Algorithm 1 of Fredrikson, Jha &amp; Ristenpart ("Model inversion
 * attacks that exploit confidence information and basic countermeasures", CCS 2015): from a grey
 * image, gradient descent on the cost {@code c(x) = 1 - p_y(x)} of a class {@code y}, each iterate
 * clipped to the input domain; it stops after {@code maxSteps}, when the cost has not improved for
 * {@code patience} steps, or when the confidence reaches {@code targetConfidence}, and returns the
 * iterate of lowest cost. All classes are inverted together, one row each.
 *
 * <p>Two gradient sources: {@link #whiteBox} uses the model's exact input gradient of the softmax
 * cross-entropy ({@code grad c = p_y grad(-log p_y)}; for models with a softmax output);
 * {@link #queryOnly} estimates {@code grad p_y} by central differences from the probabilities
 * alone, {@code 2 d} queries per class and step for {@code d} input values, as Fredrikson et al. do
 * against prediction APIs. Their countermeasure, rounding the released confidences, flattens
 * those differences to zero, which is what the query-only attack measures. Their optional
 * denoising and sharpening steps (the Process function) are not applied.
 *
 * <pre>{@code
 * ModelInversion.Result r = ModelInversion.whiteBox(model).invert(new int[] {0, 1, 2});
 * r.inversions().get(0).confidence();
 * ModelInversion.similarity(r, trainingData);   // against each class's mean image
 * }</pre>
 */
public final class ModelInversion {

    /**
     * MI-Face's settings.
     *
     * @param maxSteps at most this many gradient steps (Fredrikson et al.'s alpha)
     * @param stepSize the gradient step (their lambda), in input units
     * @param patience stop when the cost has not improved for this many steps (their beta)
     * @param targetConfidence stop when {@code p_y} reaches this (their gamma is {@code 1 - } this)
     * @param differenceStep the central-difference step of the query-only gradient
     */
    public record Config(int maxSteps, double stepSize, int patience, double targetConfidence, double differenceStep) {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            if (maxSteps <= 0) {
                throw new IllegalArgumentException("maxSteps must be positive, found " + maxSteps);
            }
            if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
                throw new IllegalArgumentException("stepSize must be positive and finite, found " + stepSize);
            }
            if (patience <= 0) {
                throw new IllegalArgumentException("patience must be positive, found " + patience);
            }
            if (!(targetConfidence > 0 && targetConfidence <= 1)) {
                throw new IllegalArgumentException("targetConfidence must be in (0, 1], found " + targetConfidence);
            }
            if (!(differenceStep > 0) || Double.isInfinite(differenceStep)) {
                throw new IllegalArgumentException("differenceStep must be positive and finite, found "
                        + differenceStep);
            }
        }

        /** 1,000 steps of 0.1, patience 100, stop at confidence 0.99, difference step 1e-3. */
        public static Config defaults() {
            return new Config(1000, 0.1, 100, 0.99, 1e-3);
        }
    }

    /**
     * One class's inversion.
     *
     * @param label the class
     * @param image the lowest-cost iterate, {@code [1, inputShape...]}
     * @param confidence the model's probability of {@code label} on it
     * @param steps gradient steps taken
     */
    public record Inversion(int label, INDArray image, double confidence, int steps) {
    }

    /** What the attack sees of the model. */
    public enum Access {
        /** The model's exact input gradients. */
        WHITE_BOX,
        /** Its probabilities only (gradients by central differences). */
        QUERY_ONLY
    }

    /**
     * What a run produced, and how.
     *
     * @param inversions one per class asked for, in order
     * @param queries prediction rows the attack asked for (gradient passes count one per row)
     * @param access exact input gradients or probabilities only
     * @param config the attack's settings
     * @param provenance versions and backend
     */
    public record Result(List<Inversion> inversions, long queries, Access access, Config config,
            Provenance provenance) {
        /** @throws IllegalArgumentException if a part is null */
        public Result {
            if (inversions == null || access == null || config == null || provenance == null) {
                throw new IllegalArgumentException("inversions, access, config and provenance must not be null");
            }
            inversions = List.copyOf(inversions);
        }

        /** The mean confidence over the inverted classes. */
        public double meanConfidence() {
            return inversions.stream().mapToDouble(Inversion::confidence).average().orElse(Double.NaN);
        }
    }

    /**
     * How an inverted image compares with a class's mean training image.
     *
     * @param label the class
     * @param cosine cosine similarity of the two images, centred on the domain's midpoint
     * @param meanSquaredError per input value
     * @param nearestClass the class whose mean image is closest (L2) to the inversion
     */
    public record Similarity(int label, double cosine, double meanSquaredError, int nearestClass) {
    }

    private final Classifier model;
    private final GradientClassifier gradients;
    private final Config config;

    private ModelInversion(Classifier model, GradientClassifier gradients, Config config) {
        this.model = model;
        this.gradients = gradients;
        this.config = config;
    }

    /** MI-Face with the model's exact input gradients. */
    public static ModelInversion whiteBox(GradientClassifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new ModelInversion(model, model, Config.defaults());
    }

    /** MI-Face from the model's probabilities alone (central differences). */
    public static ModelInversion queryOnly(Classifier model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new ModelInversion(model, null, Config.defaults());
    }

    /** The same attack with other settings. */
    public ModelInversion with(Config config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        return new ModelInversion(model, gradients, config);
    }

    /**
     * Inverts each of {@code classes}.
     *
     * @throws IllegalArgumentException if empty or a class is out of range
     */
    public Result invert(int[] classes) {
        if (classes == null || classes.length == 0) {
            throw new IllegalArgumentException("classes must not be empty");
        }
        dev.rampart.core.model.Labels.checkRange(classes, model.numClasses(), "classes");
        int k = classes.length;
        InputDomain domain = model.domain();
        long[] shape = new long[model.inputShape().length + 1];
        shape[0] = k;
        System.arraycopy(model.inputShape(), 0, shape, 1, model.inputShape().length);
        INDArray x = Nd4j.valueArrayOf(shape, (domain.min() + domain.max()) / 2, model.dataType());
        INDArray best = x.dup();
        double[] bestCost = new double[k];
        Arrays.fill(bestCost, Double.POSITIVE_INFINITY);
        int[] sinceBest = new int[k];
        int[] steps = new int[k];
        boolean[] done = new boolean[k];
        long[] queries = {0};
        for (int step = 0; step <= config.maxSteps(); step++) {
            int[] active = Rows.where(done, false);
            if (active.length == 0) {
                break;
            }
            // the step's gathered rows, probabilities and gradient live in the loop's workspace;
            // x and best are updated in place
            try (MemoryWorkspace ws = Workspaces.loop()) {
                INDArray xa = Rows.gather(x, active);
                int[] ya = Rows.pick(classes, active);
                double[] p = new double[active.length];
                INDArray grad = costGradient(xa, ya, p, queries);
                for (int j = 0; j < active.length; j++) {
                    int r = active[j];
                    double cost = 1 - p[j];
                    if (cost < bestCost[r]) {
                        bestCost[r] = cost;
                        best.get(NDArrayIndex.interval(r, r + 1)).assign(x.get(NDArrayIndex.interval(r, r + 1)));
                        sinceBest[r] = 0;
                    } else if (++sinceBest[r] >= config.patience()) {
                        done[r] = true;
                    }
                    if (p[j] >= config.targetConfidence() || step == config.maxSteps()) {
                        done[r] = true;
                    }
                    steps[r] = step;
                }
                INDArray next = xa.subi(grad.muli(config.stepSize()));
                domain.clipInPlace(next);
                Rows.scatter(x, active, next);
            }
        }
        List<Inversion> out = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            INDArray img = best.get(NDArrayIndex.interval(r, r + 1)).dup();
            out.add(new Inversion(classes[r], img, 1 - bestCost[r], steps[r]));
        }
        return new Result(out, queries[0], gradients != null ? Access.WHITE_BOX : Access.QUERY_ONLY, config,
                Provenance.current());
    }

    /** {@code grad (1 - p_y)} per row; fills {@code p} with {@code p_y}. */
    private INDArray costGradient(INDArray x, int[] y, double[] p, long[] queries) {
        if (gradients != null) {
            LogitGradient g = gradients.unchecked().logitGradient(x, LogitObjectives.crossEntropy(y));
            double[] ce = g.value().castTo(DataType.DOUBLE).toDoubleVector();
            for (int j = 0; j < p.length; j++) {
                p[j] = Math.exp(-ce[j]);
            }
            queries[0] += x.size(0);
            return Rows.scaleInPlace(g.gradient().dup(), p); // grad(1 - p) = p grad(-log p)
        }
        InputDomain domain = model.domain();
        int d = (int) (x.length() / x.size(0));
        INDArray grad = Nd4j.create(x.dataType(), x.shape());
        double h = config.differenceStep();
        for (int j = 0; j < p.length; j++) {
            INDArray row = x.get(NDArrayIndex.interval(j, j + 1)).reshape(1, d);
            INDArray probes = Nd4j.concat(0, row, row.repeat(0, 2L * d)); // the point, then +h and -h per value
            double[] base = row.castTo(DataType.DOUBLE).toDoubleVector();
            double[] width = new double[d];
            for (int i = 0; i < d; i++) {
                double up = Math.min(domain.max(), base[i] + h);
                double down = Math.max(domain.min(), base[i] - h);
                probes.putScalar(1 + 2L * i, i, up);
                probes.putScalar(2 + 2L * i, i, down);
                width[i] = up - down;
            }
            long[] shape = x.shape().clone();
            shape[0] = 1 + 2L * d;
            double[] py = model.unchecked().predictProbabilities(probes.reshape(shape))
                    .getColumn(y[j]).castTo(DataType.DOUBLE).toDoubleVector();
            queries[0] += 1 + 2L * d;
            p[j] = py[0];
            INDArray g = Nd4j.create(DataType.DOUBLE, 1, d);
            for (int i = 0; i < d; i++) {
                g.putScalar(0, i, width[i] > 0 ? -(py[1 + 2 * i] - py[2 + 2 * i]) / width[i] : 0);
            }
            long[] one = x.shape().clone();
            one[0] = 1;
            grad.get(NDArrayIndex.interval(j, j + 1)).assign(g.castTo(x.dataType()).reshape(one));
        }
        return grad;
    }

    /**
     * Compares each inversion with the mean image of its class in {@code reference} (for example
     * the target's training data), and finds the class whose mean image is nearest.
     *
     * @throws IllegalArgumentException if the reference has no example of an inverted class
     */
    public static List<Similarity> similarity(Result result, LabeledData reference) {
        if (result == null || reference == null) {
            throw new IllegalArgumentException("result and reference must not be null");
        }
        int classes = reference.numClasses();
        int[] labels = reference.labels();
        long d = reference.features().length() / reference.size();
        INDArray flat = reference.features().reshape(reference.size(), d).castTo(DataType.DOUBLE);
        double[][] means = new double[classes][];
        for (int c = 0; c < classes; c++) {
            boolean[] of = new boolean[labels.length];
            for (int i = 0; i < labels.length; i++) {
                of[i] = labels[i] == c;
            }
            int[] idx = Rows.where(of, true);
            means[c] = idx.length == 0 ? null : Rows.gather(flat, idx).mean(0).toDoubleVector();
        }
        double centre = 0.5 * (reference.features().minNumber().doubleValue()
                + reference.features().maxNumber().doubleValue());
        List<Similarity> out = new ArrayList<>();
        for (Inversion inv : result.inversions()) {
            double[] v = inv.image().reshape(1, d).castTo(DataType.DOUBLE).toDoubleVector();
            double[] m = means[inv.label()];
            if (m == null) {
                throw new IllegalArgumentException("reference has no example of class " + inv.label());
            }
            int nearest = -1;
            double nearestDist = Double.POSITIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (means[c] != null) {
                    double dist = squaredDistance(v, means[c]);
                    if (dist < nearestDist) {
                        nearestDist = dist;
                        nearest = c;
                    }
                }
            }
            out.add(new Similarity(inv.label(), cosine(v, m, centre), squaredDistance(v, m) / d, nearest));
        }
        return out;
    }

    private static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    private static double cosine(double[] a, double[] b, double centre) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            double u = a[i] - centre;
            double w = b[i] - centre;
            ab += u * w;
            aa += u * u;
            bb += w * w;
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }
}
