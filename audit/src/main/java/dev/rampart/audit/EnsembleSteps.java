package dev.rampart.audit;

import dev.rampart.attacks.evaluation.RobustnessReport;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.List;

/**
 * The AutoAttack report of the whole evaluation set, assembled from its chunks' steps, for the
 * gradient-masking checks (which run once, on the driver, on the merged report).
 */
final class EnsembleSteps {

    private EnsembleSteps() {
    }

    static RobustnessReport merge(List<ChunkOutcome> parts, Outcome o, Norm norm, long seed, int n) {
        ChunkOutcome first = parts.get(0);
        int steps = first.stepNames().length;
        int clean = 0;
        int[] attacked = new int[steps];
        int[] broken = new int[steps];
        for (ChunkOutcome p : parts) {
            for (int s = 0; s < steps; s++) {
                attacked[s] += p.stepAttacked()[s];
                broken[s] += p.stepBroken()[s];
            }
            clean += p.stepAttacked()[0];
        }
        List<RobustnessReport.Step> merged = new ArrayList<>();
        int robustLeft = clean;
        for (int s = 0; s < steps; s++) {
            robustLeft -= broken[s];
            merged.add(new RobustnessReport.Step(first.stepNames()[s], first.stepQueryOnly()[s], attacked[s], broken[s],
                    (double) robustLeft / n, o.seconds()));
        }
        return new RobustnessReport(norm, o.epsilon(), n, (double) clean / n, merged, o.robust(), new String[n],
                o.adversarial(), List.of(), o.seconds(), seed, Provenance.current());
    }
}
