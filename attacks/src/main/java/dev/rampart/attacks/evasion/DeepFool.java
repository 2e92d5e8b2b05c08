package dev.rampart.attacks.evasion;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.Rows;
import dev.rampart.core.loss.LogitGradient;
import dev.rampart.core.loss.LogitObjectives;
import dev.rampart.core.model.Capabilities;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import dev.rampart.core.memory.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DeepFool (Moosavi-Dezfooli, Fawzi &amp; Frossard, "DeepFool: a simple and accurate method to fool
 * deep neural networks", CVPR 2016): linearizes the classifier around the current point and
 * steps to the nearest linearized decision boundary, until the class changes. With
 * {@code f_k = z_k - z_y} and {@code w_k = grad z_k - grad z_y}, each step goes to the class
 * {@code l} minimizing {@code |f_k| / ||w_k||_q} ({@code q} the dual norm: 2 for L2, 1 for
 * L-inf), by {@code r = (|f_l| + 1e-4) w_l / ||w_l||_2^2} (L2) or
 * {@code (|f_l| + 1e-4) sign(w_l) / ||w_l||_1} (L-inf). The total perturbation is scaled by
 * {@code 1 + overshoot}. Untargeted only; a minimum-norm attack, unbounded by default.
 *
 * <p>The per-class gradients of a batch come from one pass over the batch repeated once per
 * class, each copy back-propagating one class's logit.
 *
 * <pre>{@code
 * EvasionResult r = DeepFool.builder(model).norm(Norm.L2).build().run(x, labels);
 * }</pre>
 */
public final class DeepFool extends MinimumNormAttack<DeepFool.Config> {

    /**
     * DeepFool's configuration.
     *
     * @param norm L2 or L-inf
     * @param epsilon the budget ({@code Infinity}: none)
     * @param maxIterations linearization steps at most
     * @param overshoot the total perturbation is multiplied by {@code 1 + overshoot}
     * @param batchSize examples per pass (each pass holds {@code batchSize * classes} copies)
     * @param seed unused by the algorithm (deterministic), kept in results
     */
    public record Config(Norm norm, double epsilon, int maxIterations, double overshoot, int batchSize, long seed)
            implements AttackConfig {

        /** @throws IllegalArgumentException naming the first invalid value */
        public Config {
            AttackConfig.checkCommon(norm, epsilon, batchSize, true);
            Check.positive("maxIterations", maxIterations);
            Check.finiteNotNegative("overshoot", overshoot);
        }

        @Override
        public Config withEpsilon(double epsilon) {
            return new Config(norm, epsilon, maxIterations, overshoot, batchSize, seed);
        }
    }


    private DeepFool(GradientClassifier model, Config config) {
        super(model, config);
    }

    /** A builder with defaults L2, 50 iterations, overshoot 0.02, unbounded, batch 64. */
    public static Builder builder(Classifier model) {
        return new Builder(Capabilities.gradients(model, "DeepFool"));
    }

    @Override
    public String name() {
        return "DeepFool";
    }


    @Override
    public DeepFool withEpsilon(double epsilon) {
        return new DeepFool(model, config().withEpsilon(epsilon));
    }

    @Override
    protected INDArray perturb(Batch batch) {
        if (batch.goal().isTargeted()) {
            throw new IllegalArgumentException("DeepFool is untargeted; the goal must not have targets");
        }
        INDArray x0 = batch.x();
        int n = batch.size();
        int classes = model.numClasses();
        int[] labels = batch.goal().labels();
        INDArray total = x0.mul(0);
        INDArray xAdv = x0.dup();
        int[] active = Rows.all(n);
        INDArray eye = Nd4j.eye(classes).castTo(x0.dataType());
        for (int it = 0; it < config().maxIterations() && active.length > 0; it++) {
            try (MemoryWorkspace ws = Workspaces.loop()) { // total and xAdv are updated in place
                int a = active.length;
                INDArray xs = Rows.gather(xAdv, active);
                // every example repeated once per class; copy k back-propagates logit k
                int[] rep = new int[a * classes];
                for (int i = 0; i < a; i++) {
                    for (int k = 0; k < classes; k++) {
                        rep[i * classes + k] = i;
                    }
                }
                INDArray weights = Nd4j.tile(eye, a, 1);
                LogitGradient g = model.logitGradient(Rows.gather(xs, rep), LogitObjectives.linear(weights));
                batch.countGradientCalls((long) a * classes);
                double[][] z = g.logits().castTo(DataType.DOUBLE).toDoubleMatrix();
                INDArray grads = g.gradient().reshape('c', a, classes, -1);
                long d = grads.size(2);
                // w_k = grad z_k - grad z_y for every example and class, in a few whole-batch operations
                double[][] yHot = new double[a][classes];
                for (int j = 0; j < a; j++) {
                    yHot[j][labels[active[j]]] = 1;
                }
                INDArray yMask = Nd4j.createFromArray(yHot).castTo(grads.dataType());
                INDArray gy = Broadcast.mul(grads, yMask, grads.ulike(), 0, 1).sum(1);
                INDArray w = Broadcast.sub(grads, gy, grads.ulike(), 0, 2);
                double[][] dual = (config().norm() == Norm.L2 ? w.norm2(2) : w.norm1(2)).castTo(DataType.DOUBLE)
                        .toDoubleMatrix();
                List<Integer> going = new ArrayList<>();
                double[][] pick = new double[a][classes];
                double[] scale = new double[a];
                for (int j = 0; j < a; j++) {
                    double[] zj = z[j * classes];
                    int y = labels[active[j]];
                    if (LogitObjectives.best(zj, -1) != y) {
                        continue; // the class has changed: done
                    }
                    int best = -1;
                    double bestDist = Double.POSITIVE_INFINITY;
                    for (int k = 0; k < classes; k++) {
                        if (k != y) {
                            double dist = Math.abs(zj[k] - zj[y]) / Math.max(dual[j][k], 1e-12);
                            if (dist < bestDist) {
                                bestDist = dist;
                                best = k;
                            }
                        }
                    }
                    double fl = Math.abs(zj[best] - zj[y]) + 1e-4;
                    pick[j][best] = 1;
                    scale[j] = config().norm() == Norm.L2 ? fl / Math.max(dual[j][best] * dual[j][best], 1e-24)
                            : fl / Math.max(dual[j][best], 1e-12);
                    going.add(j);
                }
                if (going.isEmpty()) {
                    break;
                }
                INDArray wl = Broadcast.mul(w, Nd4j.createFromArray(pick).castTo(w.dataType()), w.ulike(), 0, 1).sum(1);
                if (config().norm() == Norm.LINF) {
                    wl = Transforms.sign(wl, false);
                }
                INDArray allSteps = Rows.scaleInPlace(wl, scale).reshape(a, d);
                int[] goingIdx = going.stream().mapToInt(Integer::intValue).toArray();
                int[] rows = Rows.pick(active, goingIdx);
                long[] shape = x0.shape().clone();
                shape[0] = rows.length;
                INDArray r = Rows.gather(allSteps, goingIdx).reshape(shape);
                INDArray tot = Rows.gather(total, rows).addi(r);
                Rows.scatter(total, rows, tot);
                INDArray next = Rows.gather(x0, rows).addi(tot.mul(1 + config().overshoot()));
                Rows.scatter(xAdv, rows, clip(next));
                active = rows;
            }
        }
        return xAdv;
    }

    /** Builds a {@link DeepFool}; every value is checked in {@link #build()}. */
    public static final class Builder extends GradientAttack.Builder<Builder> {
        private int maxIterations = 50;
        private double overshoot = 0.02;

        private Builder(GradientClassifier model) {
            super(model);
            this.norm = Norm.L2;
            this.epsilon = Double.POSITIVE_INFINITY;
            this.batchSize = 64;
        }

        /** Linearization steps at most (default 50). */
        public Builder maxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Overshoot of the total perturbation (default 0.02). */
        public Builder overshoot(double overshoot) {
            this.overshoot = overshoot;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public DeepFool build() {
            return new DeepFool(model, new Config(norm, epsilon, maxIterations, overshoot, batchSize, seed));
        }
    }
}
