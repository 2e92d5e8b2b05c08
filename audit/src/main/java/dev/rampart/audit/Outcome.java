package dev.rampart.audit;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One attack at one budget on the whole evaluation set, per example: the chunks' outcomes
 * concatenated in order.
 *
 * @param attack the attack's name
 * @param epsilon the budget
 * @param robust whether each example is still classified correctly
 * @param adversarial the adversarial examples ({@code null} for the worst case)
 * @param norms each perturbation's norm
 * @param seconds wall time
 * @param settings the attack's configuration, for reports
 */
record Outcome(String attack, double epsilon, boolean[] robust, INDArray adversarial, double[] norms, double seconds,
        String settings) {

    /** The chunks' outcomes, concatenated in order, as one outcome on the set {@code x}. */
    static Outcome merge(List<ChunkOutcome> parts, double eps, INDArray x, double seconds) {
        int n = (int) x.size(0);
        boolean[] robust = new boolean[n];
        double[] norms = new double[n];
        float[] adv = new float[(int) x.length()];
        int at = 0;
        int flat = 0;
        for (ChunkOutcome p : parts) {
            System.arraycopy(p.robust(), 0, robust, at, p.robust().length);
            System.arraycopy(p.norms(), 0, norms, at, p.norms().length);
            System.arraycopy(p.adversarial(), 0, adv, flat, p.adversarial().length);
            at += p.robust().length;
            flat += p.adversarial().length;
        }
        INDArray adversarial = org.nd4j.linalg.factory.Nd4j.create(adv, x.shape(), 'c').castTo(x.dataType());
        return new Outcome(parts.get(0).attack(), eps, robust, adversarial, norms, seconds, parts.get(0).settings());
    }
}
