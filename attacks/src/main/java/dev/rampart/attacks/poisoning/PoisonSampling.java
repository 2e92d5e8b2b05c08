package dev.rampart.attacks.poisoning;

import dev.rampart.core.random.Seeds;

/** How the poisoning attacks choose the examples they change: seeded, exact counts. */
final class PoisonSampling {

    private PoisonSampling() {
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
