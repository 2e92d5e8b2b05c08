package dev.rampart.attacks.evasion;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.norm.Norm;
import dev.rampart.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class CarliniWagnerTest extends EvasionAttackContract {

    @Override
    protected double reorderTolerance(Norm norm) {
        return 0.05; // its search keeps its best iterate at the boundary, where rounding decides
    }

    @Override
    protected EvasionAttack make(GradientClassifier model, Norm norm, double epsilon) {
        return CarliniWagner.builder(model).epsilon(epsilon).binarySearchSteps(3).maxIterations(25)
                .initialConstant(1).build();
    }

    @Override
    protected boolean supports(Norm norm) {
        return norm == Norm.L2;
    }

    @Test
    void findsSmallerPerturbationsThanPgdAtEqualSuccess() {
        LabeledData d = Fixtures.testSample(40);
        EvasionResult pgd = Pgd.builder(model).norm(Norm.L2).epsilon(2.0).steps(20).seed(1).build()
                .run(d.features(), d.labels());
        EvasionResult cw = CarliniWagner.builder(model).binarySearchSteps(6).maxIterations(60).initialConstant(1)
                .build().run(d.features(), d.labels());
        EvasionResult df = DeepFool.builder(model).build().run(d.features(), d.labels());
        double pgdSum = 0;
        double cwSum = 0;
        double dfSum = 0;
        int both = 0;
        for (int i = 0; i < d.size(); i++) {
            boolean clean = pgd.cleanPredictions()[i] == d.labels()[i];
            if (clean && pgd.success()[i] && cw.success()[i] && df.success()[i]) {
                pgdSum += pgd.perturbationNorm()[i];
                cwSum += cw.perturbationNorm()[i];
                dfSum += df.perturbationNorm()[i];
                both++;
            }
        }
        assertTrue(both >= 10, "examples fooled by all three: " + both);
        assertTrue(cwSum < pgdSum, "C&W mean L2 " + cwSum / both + " vs PGD " + pgdSum / both);
        assertTrue(dfSum < pgdSum, "DeepFool mean L2 " + dfSum / both + " vs PGD " + pgdSum / both);
        assertTrue(cw.successRate() >= pgd.successRate() - 0.05, cw.successRate() + " vs " + pgd.successRate());
    }

    @Test
    void sweepHoldsTheMinimalPerturbationsToEachBudget() {
        LabeledData d = Fixtures.testSample(30);
        CarliniWagner cw = CarliniWagner.builder(model).binarySearchSteps(3).maxIterations(30).initialConstant(1)
                .build();
        EpsilonSweep s = cw.sweep(d.features(), AttackGoal.untargeted(d.labels()), 0.5, 1.0, 100);
        EvasionResult unbounded = cw.run(d.features(), d.labels());
        assertEquals(unbounded.successRate(), s.at(2).successRate(), 1e-12);
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < d.size(); i++) {
                assertTrue(s.at(k).perturbationNorm()[i] <= s.epsilons()[k] * (1 + 1e-5));
            }
        }
        assertTrue(s.at(0).successRate() <= s.at(1).successRate());
    }

    @Test
    void highMarginExamplesAreFooledAtTheDefaultSettings() {
        // images 2 and 41 of the sample: trousers, most pixels at 0 or 1, far from the boundary; a
        // search that restarted every step from the clean input never reached them in 100 iterations
        LabeledData d = Fixtures.testSample(42);
        int[] idx = {2, 41};
        org.nd4j.linalg.api.ndarray.INDArray x = dev.rampart.core.data.Rows.gather(d.features(), idx);
        int[] labels = dev.rampart.core.data.Rows.pick(d.labels(), idx);
        EvasionResult r = CarliniWagner.builder(model).build().run(x, labels);
        assertEquals(2, java.util.Arrays.stream(r.cleanPredictions()).filter(c -> c == 1).count());
        assertTrue(r.success()[0] && r.success()[1], "both fooled: " + java.util.Arrays.toString(r.success()));
        assertTrue(r.perturbationNorm()[0] < 4 && r.perturbationNorm()[1] < 4,
                java.util.Arrays.toString(r.perturbationNorm()));
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertMessage(() -> CarliniWagner.builder(model).kappa(-1).build(), "kappa");
        assertMessage(() -> CarliniWagner.builder(model).binarySearchSteps(0).build(), "binarySearchSteps");
        assertMessage(() -> CarliniWagner.builder(model).maxIterations(-5).build(), "maxIterations");
        assertMessage(() -> CarliniWagner.builder(model).learningRate(0).build(), "learningRate");
        assertMessage(() -> CarliniWagner.builder(model).norm(Norm.LINF).build(), "norm must be L2");
    }

    /**
     * Each example's search stops on its own objective: with the batch's total as the criterion
     * (as in Carlini and Wagner's code), a hard example kept every other example of its batch
     * iterating, so an example's result depended on its neighbours.
     */
    @Test
    void anExamplesSearchDoesNotDependOnItsBatch() {
        LabeledData d = Fixtures.testSample(32);
        CarliniWagner cw = CarliniWagner.builder(model).binarySearchSteps(4).maxIterations(40).batchSize(16).build();
        EvasionResult whole = cw.run(d.features(), d.labels());
        int moved = 0;
        for (int[] part : new int[][] {java.util.stream.IntStream.range(11, 32).toArray(),
            java.util.stream.IntStream.range(0, 11).toArray()}) {
            EvasionResult r = cw.run(dev.rampart.core.data.Rows.gather(d.features(), part),
                    AttackGoal.untargeted(dev.rampart.core.data.Rows.pick(d.labels(), part)),
                    java.util.Arrays.stream(part).asLongStream().toArray());
            double[] far = org.nd4j.linalg.ops.transforms.Transforms.abs(r.adversarial().sub(
                    dev.rampart.core.data.Rows.gather(whole.adversarial(), part))).reshape(part.length, -1).max(1)
                    .toDoubleVector();
            for (double f : far) {
                moved += f > 1e-3 ? 1 : 0;
            }
        }
        assertTrue(moved <= 2, moved + " of 32 examples changed by more than 1e-3 with their batch");
    }
}
