package dev.rampart.audit;

import dev.rampart.attacks.evaluation.AutoAttack;
import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.attacks.evasion.AttackGoal;
import dev.rampart.attacks.evasion.EpsilonSweep;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.core.model.Classifier;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One attack at one budget on one chunk, as it travels back from an executor; for AutoAttack also
 * its steps (attack names, whether query-only, examples attacked and broken by each).
 */
record ChunkOutcome(String attack, String settings, boolean[] robust, double[] norms, float[] adversarial,
        String[] stepNames, boolean[] stepQueryOnly, int[] stepAttacked, int[] stepBroken) implements Serializable {

    static ChunkOutcome of(EvasionResult r) {
        boolean[] robust = new boolean[r.size()];
        for (int i = 0; i < robust.length; i++) {
            robust[i] = r.robust(i);
        }
        return new ChunkOutcome(r.attack(), r.config().toString(), robust, r.perturbationNorm(),
                r.adversarial().castTo(DataType.FLOAT).dup('c').data().asFloat(), null, null, null, null);
    }

    static ChunkOutcome autoAttack(AttackSettings spec, double eps, Classifier model, ChunkRunner.Chunk c) {
        AutoAttack aa = AutoAttack.builder(model).norm(spec.norm()).epsilon(eps).squareQueries(spec.squareQueries())
                .batchSize(spec.batchSize()).seed(spec.seed()).maskingChecks(false).build();
        INDArray x = c.features();
        RobustnessReport r = aa.evaluate(x, c.labels(), c.indices());
        List<RobustnessReport.Step> steps = r.steps();
        boolean[] queryOnly = new boolean[steps.size()];
        for (int s = 0; s < queryOnly.length; s++) {
            queryOnly[s] = steps.get(s).queryOnly();
        }
        return new ChunkOutcome("AutoAttack", String.join(", ", aa.attacks().stream().map(EvasionAttack::name)
                .toList()), r.robust(), spec.norm().perExample(r.worstCase().sub(x)),
                r.worstCase().castTo(DataType.FLOAT).dup('c').data().asFloat(),
                steps.stream().map(RobustnessReport.Step::attack).toArray(String[]::new), queryOnly,
                steps.stream().mapToInt(RobustnessReport.Step::attacked).toArray(),
                steps.stream().mapToInt(RobustnessReport.Step::broken).toArray());
    }

    /** A minimum-norm attack's outcomes on one chunk, one per budget. */
    record Sweep(List<ChunkOutcome> list) implements Serializable {
        static Sweep of(AttackSettings spec, double[] epsilons, Classifier model, ChunkRunner.Chunk c) {
            EvasionAttack attack = spec.attack(model, epsilons[0]);
            EpsilonSweep s = attack.sweep(c.features(), AttackGoal.untargeted(c.labels()), epsilons);
            List<ChunkOutcome> out = new ArrayList<>();
            for (int k = 0; k < epsilons.length; k++) {
                out.add(ChunkOutcome.of(s.at(k)));
            }
            return new Sweep(out);
        }
    }
}
