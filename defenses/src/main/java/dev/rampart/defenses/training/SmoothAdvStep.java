package dev.rampart.defenses.training;

import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.LossAndGradient;
import dev.rampart.core.norm.Norm;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * SmoothAdv (Salman, Yang, Li, Zhang, Zhang, Razenshteyn &amp; Bubeck, "Provably Robust Deep
 * Learning via Adversarially Trained Smoothed Classifiers", NeurIPS 2019): adversarial training of
 * the smoothed classifier. Each example gets {@code noiseSamples} Gaussian noise draws of standard
 * deviation {@code sigma}, fixed for the batch; PGD-L2 within {@code epsilon} then ascends the
 * smoothed soft classifier's loss {@code -log((1/m) sum_j p_y(x' + delta_j))}, whose gradient is
 * the per-copy cross-entropy gradients weighted by each copy's share {@code p_j / sum_k p_k} of the
 * mean (step {@code 2 epsilon / steps}, from the clean point, as in the paper); the model then
 * trains on every noisy copy {@code x' + delta_j}, clipped to its domain, with the example's label.
 * The returned batch therefore has {@code noiseSamples} rows per example.
 *
 * <pre>{@code
 * AdversarialTraining.builder(model).method(AdversarialTraining.Method.SMOOTH_ADV).sigma(0.25).epsilon(0.5)
 *         .pgdSteps(2).noiseSamples(2).epochs(10).build().fit(train);
 * }</pre>
 *
 * @param steps PGD steps
 * @param noiseSamples noise draws per example
 * @param sigma the smoothing's standard deviation
 */
public record SmoothAdvStep(int steps, int noiseSamples, double sigma) implements AdversarialStep {

    /** @throws IllegalArgumentException naming the first invalid value */
    public SmoothAdvStep {
        if (steps <= 0) {
            throw new IllegalArgumentException("pgdSteps must be positive, found " + steps);
        }
        if (noiseSamples <= 0) {
            throw new IllegalArgumentException("noiseSamples must be positive, found " + noiseSamples);
        }
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be positive and finite, found " + sigma);
        }
    }

    @Override
    public String name() {
        return "SmoothAdv-PGD-" + steps + " (m " + noiseSamples + ")";
    }

    @Override
    public DataSet craft(GradientClassifier model, INDArray x, INDArray oneHot, double epsilon, long seed) {
        int n = (int) x.size(0);
        int m = noiseSamples;
        long d = x.length() / n;
        long[] shape = x.shape().clone();
        shape[0] = (long) n * m;
        INDArray labels = oneHot.repeat(0, m);
        // the noise, drawn once for the batch: row i * m + j is example i's draw j (the raw draw: the
        // copies, not the noise, are clipped to the domain)
        long[] rows = x.shape().clone();
        rows[0] = (long) n * m;
        INDArray noise = GaussianNoiseStep.gaussian(rows, x.dataType(), sigma, seed);
        INDArray xAdv = x.dup('c');
        if (epsilon > 0) {
            double stepSize = 2 * epsilon / steps;
            INDArray flatX = x.dup('c').reshape(n, d);
            for (int t = 0; t < steps; t++) {
                INDArray copies = model.domain().clipInPlace(xAdv.repeat(0, m).addi(noise));
                LossAndGradient lg = model.unchecked().lossAndGradient(copies.reshape(shape), labels);
                // each copy's gradient weighted by its share p_j / sum_k p_k of the mean probability of the label
                INDArray p = lg.probabilities().mul(labels).sum(1).reshape(n, m);
                INDArray w = p.diviColumnVector(p.sum(1).reshape(n, 1).addi(1e-30));
                INDArray g = lg.gradient().reshape(n, m, d).muli(w.reshape(n, m, 1).broadcast(n, m, d)).sum(1);
                Norm.L2.steepestAscentInPlace(g);
                INDArray flat = xAdv.reshape(n, d);
                flat.addi(g.muli(stepSize));
                INDArray delta = Norm.L2.projectInPlace(flat.sub(flatX), epsilon);
                flat.assign(flatX.add(delta));
                model.domain().clipInPlace(xAdv);
            }
        }
        INDArray train = model.domain().clipInPlace(xAdv.repeat(0, m).addi(noise)).reshape(shape);
        return new DataSet(train, labels);
    }
}
