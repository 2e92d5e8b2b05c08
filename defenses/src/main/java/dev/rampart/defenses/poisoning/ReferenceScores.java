package dev.rampart.defenses.poisoning;

import dev.rampart.core.check.Check;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a {@link ReferenceDetector} measured before judging: per class, a score for each of the
 * class's training examples and for each of its trusted examples (higher is more suspect; every
 * trusted score comes from a fit that did not see that example), so that the judgement can be made
 * again, by the detector itself or jointly with other detectors ({@link TrustedUnion}), without
 * scoring twice.
 *
 * <pre>{@code
 * ReferenceScores s = TrustedContrast.builder(trusted).build().referenceScores(train);
 * s.classes().get(0).train();     // class 0's training examples' scores
 * }</pre>
 *
 * @param detector the name of the detector that scored
 * @param score what the score is ("Contrast", "Surprise", "Que"), for the report's figures
 * @param size the number of examples of the scored data
 * @param classes one entry per class of the data
 */
public record ReferenceScores(String detector, String score, int size, List<ClassScores> classes) {

    /** @throws IllegalArgumentException if a value is missing or an index lies outside the data */
    public ReferenceScores {
        Check.notNull("detector", detector);
        Check.notNull("score", score);
        classes = List.copyOf(Check.notNull("classes", classes));
        for (ClassScores c : classes) {
            for (int i : c.indices()) {
                if (i < 0 || i >= size) {
                    throw new IllegalArgumentException("class " + c.label() + " names example " + i + " of " + size);
                }
            }
        }
    }

    /**
     * One class.
     *
     * @param label the class
     * @param indices its training examples' positions in the data
     * @param train their scores, in the order of {@code indices}
     * @param trustedIndices its trusted examples' positions in the trusted set
     * @param trusted their scores (empty when the class was not judged: too few examples)
     * @param figures what the detector measured on the class besides the scores
     */
    public record ClassScores(int label, int[] indices, double[] train, int[] trustedIndices, double[] trusted,
            Map<String, Double> figures) {

        /** @throws IllegalArgumentException if the arrays' lengths disagree or a score is not finite */
        public ClassScores {
            Check.notNull("indices", indices);
            Check.notNull("train", train);
            Check.notNull("trustedIndices", trustedIndices);
            Check.notNull("trusted", trusted);
            Check.notNull("figures", figures);
            if (indices.length != train.length || trustedIndices.length != trusted.length) {
                throw new IllegalArgumentException("class " + label + ": " + indices.length + " indices for "
                        + train.length + " scores, " + trustedIndices.length + " trusted indices for " + trusted.length
                        + " trusted scores");
            }
            Check.finite(train, "class " + label + "'s scores");
            Check.finite(trusted, "class " + label + "'s trusted scores");
            indices = indices.clone();
            train = train.clone();
            trustedIndices = trustedIndices.clone();
            trusted = trusted.clone();
            figures = Map.copyOf(figures);
        }

        /** A class with too few examples to judge. */
        static ClassScores notJudged(int label, int[] indices) {
            return new ClassScores(label, indices, new double[indices.length], new int[0], new double[0], Map.of());
        }

        /** Whether the class was scored against trusted examples. */
        public boolean judged() {
            return trusted.length > 0;
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }

        @Override
        public double[] train() {
            return train.clone();
        }

        @Override
        public int[] trustedIndices() {
            return trustedIndices.clone();
        }

        @Override
        public double[] trusted() {
            return trusted.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClassScores c && label == c.label && Arrays.equals(indices, c.indices)
                    && Arrays.equals(train, c.train) && Arrays.equals(trustedIndices, c.trustedIndices)
                    && Arrays.equals(trusted, c.trusted) && figures.equals(c.figures);
        }

        @Override
        public int hashCode() {
            return 31 * Integer.hashCode(label) + Arrays.hashCode(train);
        }

        @Override
        public String toString() {
            return "ClassScores[label=" + label + ", examples=" + indices.length + ", trusted=" + trusted.length + "]";
        }
    }

    /** Each example's score (0 in classes not judged), as a {@link PoisonReport} holds them. */
    public double[] perExample() {
        double[] out = new double[size];
        for (ClassScores c : classes) {
            for (int j = 0; j < c.indices.length; j++) {
                out[c.indices[j]] = c.train[j];
            }
        }
        return out;
    }
}
