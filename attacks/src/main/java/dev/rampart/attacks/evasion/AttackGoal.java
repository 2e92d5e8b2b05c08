package dev.rampart.attacks.evasion;

/**
 * What an evasion attack tries to achieve on each example: any wrong class (untargeted), or a
 * given class (targeted).
 *
 * <pre>{@code
 * AttackGoal any = AttackGoal.untargeted(labels);
 * AttackGoal toBag = AttackGoal.targeted(labels, targets);   // targets[i] != labels[i]
 * }</pre>
 *
 * @param labels the true class of each example
 * @param targets the class each example should be pushed to, or {@code null} for untargeted
 */
public record AttackGoal(int[] labels, int[] targets) {

    /**
     * @throws IllegalArgumentException if labels is null, targets has another length, or a target
     *     is negative or equal to its example's label (such a goal would count as met before any
     *     attack)
     */
    public AttackGoal {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        if (targets != null && targets.length != labels.length) {
            throw new IllegalArgumentException("targets has " + targets.length + " entries but labels has "
                    + labels.length);
        }
        for (int i = 0; targets != null && i < targets.length; i++) {
            if (targets[i] < 0) {
                throw new IllegalArgumentException("targets[" + i + "] must be a class index, found " + targets[i]);
            }
            if (targets[i] == labels[i]) {
                throw new IllegalArgumentException("targets[" + i + "] is " + targets[i] + ", the example's own label:"
                        + " a targeted goal needs a class other than the true one");
            }
        }
        labels = labels.clone();
        targets = targets == null ? null : targets.clone();
    }

    /** Push every example to any class other than its label. */
    public static AttackGoal untargeted(int[] labels) {
        return new AttackGoal(labels, null);
    }

    /** Push example {@code i} to class {@code targets[i]}. */
    public static AttackGoal targeted(int[] labels, int[] targets) {
        if (targets == null) {
            throw new IllegalArgumentException("a targeted goal needs targets");
        }
        return new AttackGoal(labels, targets);
    }

    public boolean isTargeted() {
        return targets != null;
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public int[] targets() {
        return targets == null ? null : targets.clone();
    }

    /** The true class of example {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** The classes whose loss the attack follows: targets if targeted, else labels. */
    int[] lossClasses() {
        return targets != null ? targets : labels;
    }

    /** Whether a prediction of example {@code i} achieves the goal. */
    boolean achieved(int i, int predicted) {
        return targets != null ? predicted == targets[i] : predicted != labels[i];
    }

    /** The goal restricted to examples {@code from} to {@code to}. */
    AttackGoal slice(int from, int to) {
        return new AttackGoal(java.util.Arrays.copyOfRange(labels, from, to),
                targets == null ? null : java.util.Arrays.copyOfRange(targets, from, to));
    }

    int size() {
        return labels.length;
    }
}
