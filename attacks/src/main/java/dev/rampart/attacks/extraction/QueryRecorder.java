package dev.rampart.attacks.extraction;

import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.Labels;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The victim as a probe sees it: every query passes here, is counted against the budget, and is
 * kept with its answer (the probe's training set). A batch that would exceed the budget is refused
 * whole, before the victim sees any of it. Not thread-safe: one recorder per probe run.
 *
 * <pre>{@code
 * QueryRecorder api = new QueryRecorder(victim, Answers.LABELS, 1000);
 * INDArray y = api.ask(images);      // one-hot rows of the victim's top-1
 * api.spent();                       // images.size(0)
 * }</pre>
 */
public final class QueryRecorder {

    private final Classifier victim;
    private final Answers answers;
    private final long budget;
    private final List<INDArray> inputs = new ArrayList<>();
    private final List<INDArray> outputs = new ArrayList<>();
    private long spent;

    /**
     * @param victim the model under attack, queried through its public prediction methods only
     * @param answers what the victim releases
     * @param budget the most queries (examples) this recorder lets through
     * @throws IllegalArgumentException naming a null argument or a budget that is not positive
     */
    public QueryRecorder(Classifier victim, Answers answers, long budget) {
        if (victim == null) {
            throw new IllegalArgumentException("victim must not be null");
        }
        if (answers == null) {
            throw new IllegalArgumentException("answers must not be null");
        }
        if (budget <= 0) {
            throw new IllegalArgumentException("budget must be positive, found " + budget);
        }
        this.victim = victim;
        this.answers = answers;
        this.budget = budget;
    }

    /**
     * Queries the victim on {@code x} and records inputs and answers.
     *
     * @return one row per example: one-hot top-1 for {@link Answers#LABELS}, otherwise the released
     *     probabilities scaled to sum to 1
     * @throws QueryBudgetExceededException if the batch would exceed the budget (nothing is queried)
     * @throws IllegalArgumentException if {@code x} is not a batch of the victim's inputs
     */
    public INDArray ask(INDArray x) {
        Inputs.checkBatch(victim, x, "x");
        long n = x.size(0);
        if (spent + n > budget) {
            throw new QueryBudgetExceededException(budget, spent, n);
        }
        // what is recorded outlives any workspace of the probe's loop
        try (MemoryWorkspace out = Workspaces.outside()) {
            INDArray copy = x.dup();
            INDArray y = answers == Answers.LABELS
                    ? Labels.oneHot(victim.predictClasses(copy.dup()), victim.numClasses())
                    : normalized(victim.predictProbabilities(copy.dup()));
            spent += n;
            inputs.add(copy);
            outputs.add(y);
            return y.dup();
        }
    }

    /**
     * The released rows as training targets: scaled to sum to 1, as an attacker would do with
     * rounded or cut-off answers; a row of zeros becomes uniform.
     *
     * @throws IllegalStateException if the victim released a negative or non-finite value
     */
    private INDArray normalized(INDArray released) {
        double[][] p = released.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < p.length; i++) {
            double sum = 0;
            for (int k = 0; k < p[i].length; k++) {
                if (!(p[i][k] >= 0) || !Double.isFinite(p[i][k])) {
                    throw new IllegalStateException("the victim released " + p[i][k] + " as probability " + k
                            + " of row " + i + " of a batch");
                }
                sum += p[i][k];
            }
            for (int k = 0; k < p[i].length; k++) {
                p[i][k] = sum > 0 ? p[i][k] / sum : 1.0 / p[i].length;
            }
        }
        return Nd4j.createFromArray(p).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /** Queries spent so far. */
    public long spent() {
        return spent;
    }

    /** Queries left. */
    public long remaining() {
        return budget - spent;
    }

    /** The budget. */
    public long budget() {
        return budget;
    }

    /** What the victim releases. */
    public Answers answers() {
        return answers;
    }

    /** Every input queried so far, in order, as one array (a copy). */
    public INDArray inputs() {
        return concat(inputs);
    }

    /** Every answer so far, in order, as one array (a copy). */
    public INDArray outputs() {
        return concat(outputs);
    }

    private static INDArray concat(List<INDArray> parts) {
        if (parts.isEmpty()) {
            throw new IllegalStateException("no queries recorded yet");
        }
        return parts.size() == 1 ? parts.get(0).dup() : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }
}
