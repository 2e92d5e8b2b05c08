package dev.rampart.attacks.poisoning;

import dev.rampart.core.random.Seeds;

/** Argument checks and sampling shared by the poisoning attacks. */
final class PoisonChecks {

    private PoisonChecks() {
    }

    static void rate(double rate) {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("rate must be in (0, 1), found " + rate);
        }
    }

    static void label(int label, int classes, String name) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException(name + " must be a class in [0, " + classes + "), found " + label);
        }
    }

    /** {@code k} distinct indices among {@code candidates}, chosen uniformly from {@code seed}. */
    static int[] choose(int[] candidates, int k, long seed) {
        if (k > candidates.length) {
            throw new IllegalArgumentException("cannot poison " + k + " examples: only " + candidates.length
                    + " are eligible");
        }
        int[] out = dev.rampart.core.data.Rows.pick(candidates, Seeds.sample(candidates.length, k, Seeds.random(seed)));
        java.util.Arrays.sort(out);
        return out;
    }

    /** The indices whose label satisfies {@code keep}. */
    static int[] where(int[] labels, java.util.function.IntPredicate keep) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> keep.test(labels[i])).toArray();
    }

    /** At least one, {@code round(rate * n)}. */
    static int count(double rate, int n) {
        return (int) Math.max(1, Math.round(rate * n));
    }
}
