package dev.rampart.defenses.training;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of a model's parameters, updated after each training step. The
 * decay at step {@code t} is {@code min(decay, (1 + t) / (10 + t))}: the first steps, taken from
 * the initial weights, leave the average quickly.
 */
final class ParameterAverage {

    private final double decay;
    private INDArray average;
    private long steps;

    ParameterAverage(double decay) {
        this.decay = decay;
    }

    /** Folds the parameters after one more step into the average. */
    void update(INDArray parameters) {
        if (average == null) {
            average = parameters.dup();
        } else {
            double d = decayAt(steps);
            average.muli(d).addi(parameters.mul(1 - d));
        }
        steps++;
    }

    /** The decay applied at step {@code t} (from 0; the first step starts the average). */
    double decayAt(long t) {
        return Math.min(decay, (1.0 + t) / (10.0 + t));
    }

    /**
     * Writes the average into {@code parameters} (in place) and returns a copy of what they held.
     * Before the first update it leaves them as they are.
     */
    INDArray swapIn(INDArray parameters) {
        INDArray own = parameters.dup();
        writeTo(parameters);
        return own;
    }

    /** Writes the average into {@code parameters} (in place); before the first update, nothing. */
    void writeTo(INDArray parameters) {
        if (average != null) {
            parameters.assign(average);
        }
    }
}
