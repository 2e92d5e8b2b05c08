package dev.rampart.core.metric;

/**
 * Counting metrics over per-example results.
 *
 * <pre>{@code
 * double acc = Metrics.accuracy(model.predictClasses(x), labels);
 * double detected = Metrics.share(detector.flag(xAdv), result.success());
 * }</pre>
 */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The fraction of examples whose prediction equals the label.
     *
     * @throws IllegalArgumentException if the arrays differ in length or are empty
     */
    public static double accuracy(int[] predicted, int[] labels) {
        if (predicted.length != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("accuracy needs equally long, non-empty arrays, found "
                    + predicted.length + " predictions and " + labels.length + " labels");
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * The fraction of {@code flags} set, among the examples {@code among} marks ({@code null}: all);
     * 0 if none is marked.
     */
    public static double share(boolean[] flags, boolean[] among) {
        int hits = 0;
        int n = 0;
        for (int i = 0; i < flags.length; i++) {
            if (among == null || among[i]) {
                n++;
                hits += flags[i] ? 1 : 0;
            }
        }
        return n == 0 ? 0 : (double) hits / n;
    }
}
