package dev.rampart.defenses.guard;

import dev.rampart.core.check.Check;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.ForwardingClassifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.Labels;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model behind a {@link Screen}, at prediction time: the one notion of a guard in Rampart, for
 * adversarial-input detectors and for query-stream monitors such as PRADA alike. A guard is a
 * {@link Classifier} that answers as its model; each batch is screened first, and its policy says
 * what happens to a batch with a flagged query:
 *
 * <ul>
 *   <li>{@link Policy#FLAG}: answered all the same; {@link #decide} gives the operator the scores
 *       and flags with the answers, to log or route.</li>
 *   <li>{@link Policy#REFUSE}: {@link #predictProbabilities} and {@link #predictClasses} throw
 *       {@link RefusedQueryException} naming the flagged rows, before the model sees the batch.</li>
 * </ul>
 *
 * <pre>{@code
 * Guard guard = Guard.flagging(model, FeatureSqueezing.builder(model).fit(cleanImages));
 * Guard.Decisions d = guard.decide(incoming);
 * if (d.flagged()[0]) { ... }
 * Classifier api = Guard.refusing(model, strip);   // clients get answers or a RefusedQueryException
 * }</pre>
 */
public final class Guard extends ForwardingClassifier {

    /** What a guard does with a batch holding a flagged query. */
    public enum Policy {
        /** Answer, and report the flags through {@link #decide}. */
        FLAG,
        /** Refuse the batch before the model sees it. */
        REFUSE
    }

    /**
     * Answers with the screen's verdicts.
     *
     * @param classes the model's predicted classes
     * @param scores the screen's scores
     * @param flagged whether each query was flagged
     */
    public record Decisions(int[] classes, double[] scores, boolean[] flagged) {
        /** The flagged rows. */
        public int[] flaggedRows() {
            return IntStream.range(0, flagged.length).filter(i -> flagged[i]).toArray();
        }
    }

    private final Screen screen;
    private final Policy policy;

    /**
     * @throws IllegalArgumentException naming a null argument
     */
    private Guard(Classifier model, Screen screen, Policy policy) {
        super(Check.notNull("model", model));
        this.screen = Check.notNull("screen", screen);
        this.policy = Check.notNull("policy", policy);
    }

    /** A guard that answers every query and reports flags through {@link #decide}. */
    public static Guard flagging(Classifier model, Screen screen) {
        return new Guard(model, screen, Policy.FLAG);
    }

    /** A guard that refuses any batch holding a flagged query. */
    public static Guard refusing(Classifier model, Screen screen) {
        return new Guard(model, screen, Policy.REFUSE);
    }

    /** The guarded model. */
    public Classifier model() {
        return inner;
    }

    /** The screen. */
    public Screen screen() {
        return screen;
    }

    /** The policy. */
    public Policy policy() {
        return policy;
    }

    /**
     * Screens and answers {@code x}, whatever the policy (the operator's view: nothing is refused).
     *
     * @throws IllegalArgumentException if {@code x} is not a batch of the model's inputs
     */
    public Decisions decide(INDArray x) {
        INDArray copy = Inputs.asType(inner, x, "x").dup();
        double[] scores = screenScores(copy);
        boolean[] flagged = flags(scores);
        INDArray p = answer(copy);
        return new Decisions(Labels.argmax(p), scores, flagged);
    }

    @Override
    public INDArray predictProbabilities(INDArray x) {
        INDArray copy = Inputs.asType(inner, x, "x").dup();
        boolean[] flagged = flags(screenScores(copy));
        if (policy == Policy.REFUSE) {
            int[] rows = IntStream.range(0, flagged.length).filter(i -> flagged[i]).toArray();
            if (rows.length > 0) {
                throw screen.refusal(rows);
            }
        }
        return answer(copy);
    }

    @Override
    public int[] predictClasses(INDArray x) {
        return Labels.argmax(predictProbabilities(x));
    }

    private double[] screenScores(INDArray x) {
        double[] scores = screen.score(x.dup());
        if (scores == null || scores.length != x.size(0)) {
            throw new IllegalStateException("the screen gave " + (scores == null ? "no" : scores.length)
                    + " scores for a batch of " + x.size(0));
        }
        return scores;
    }

    private boolean[] flags(double[] scores) {
        boolean[] flagged = screen.flag(scores.clone());
        if (flagged == null || flagged.length != scores.length) {
            throw new IllegalStateException("the screen gave " + (flagged == null ? "no" : flagged.length)
                    + " flags for " + scores.length + " scores");
        }
        return flagged;
    }

    private INDArray answer(INDArray x) {
        INDArray p = inner.predictProbabilities(x); // a classifier does not modify its input
        screen.answered(x.dup(), p.dup());
        return p;
    }

    @Override
    public Classifier copy() {
        return new Guard(inner.copy(), screen, policy);
    }

    @Override
    public String toString() {
        return "guard (" + policy.name().toLowerCase(java.util.Locale.ROOT) + ") of " + inner;
    }
}
