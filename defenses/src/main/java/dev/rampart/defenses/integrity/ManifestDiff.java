package dev.rampart.defenses.integrity;

import java.util.Arrays;

/**
 * How a dataset differs from its {@link DatasetManifest}, by index.
 *
 * <pre>{@code
 * ManifestDiff d = manifest.compare(data);
 * if (!d.isIdentical()) System.out.println(d);   // e.g. "2 relabelled [17, 4021]"
 * }</pre>
 *
 * @param added indices in the data of examples the manifest does not record
 * @param removed indices in the manifest of recorded examples the data lacks
 * @param changed indices whose features differ from the record (nothing matching elsewhere)
 * @param relabelled indices in the data of recorded features under another label
 * @param moved pairs {manifest index, data index} of recorded examples found at another index
 */
public record ManifestDiff(int[] added, int[] removed, int[] changed, int[] relabelled, int[][] moved) {

    public ManifestDiff {
        added = added.clone();
        removed = removed.clone();
        changed = changed.clone();
        relabelled = relabelled.clone();
        moved = moved.clone();
    }

    /** Whether the data is exactly the recorded examples, labels and order. */
    public boolean isIdentical() {
        return added.length == 0 && removed.length == 0 && changed.length == 0 && relabelled.length == 0
                && moved.length == 0;
    }

    @Override
    public int[] added() {
        return added.clone();
    }

    @Override
    public int[] removed() {
        return removed.clone();
    }

    @Override
    public int[] changed() {
        return changed.clone();
    }

    @Override
    public int[] relabelled() {
        return relabelled.clone();
    }

    @Override
    public int[][] moved() {
        return moved.clone();
    }

    @Override
    public String toString() {
        if (isIdentical()) {
            return "identical";
        }
        StringBuilder b = new StringBuilder();
        part(b, "added", added);
        part(b, "removed", removed);
        part(b, "changed", changed);
        part(b, "relabelled", relabelled);
        if (moved.length > 0) {
            b.append(b.length() == 0 ? "" : ", ").append(moved.length).append(" moved");
        }
        return b.toString();
    }

    private static void part(StringBuilder b, String what, int[] idx) {
        if (idx.length > 0) {
            int[] head = Arrays.copyOf(idx, Math.min(10, idx.length));
            b.append(b.length() == 0 ? "" : ", ").append(idx.length).append(' ').append(what).append(' ')
                    .append(Arrays.toString(head)).append(idx.length > 10 ? " ..." : "");
        }
    }
}
