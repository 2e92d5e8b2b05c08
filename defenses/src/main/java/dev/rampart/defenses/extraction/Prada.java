package dev.rampart.defenses.extraction;

import dev.rampart.core.check.Check;
import dev.rampart.core.metric.ShapiroWilk;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Labels;
import dev.rampart.defenses.guard.Guard;
import dev.rampart.defenses.guard.RefusedQueryException;
import dev.rampart.defenses.guard.Screen;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PRADA, a query-stream monitor against model extraction (Juuti, Szyller, Marchal &amp; Asokan,
 * "PRADA: Protecting Against DNN Model Stealing Attacks", IEEE EuroS&amp;P 2019). For each client
 * and each class the victim answers, it keeps a growing set of that client's queries; every new
 * query's minimum L2 distance to the growing set of its class is recorded, and the query joins the
 * set when that distance exceeds the class's threshold (the mean minus the deviation of the
 * distances that admitted earlier members). Natural queries give distances that look normally
 * distributed; synthetic ones (tiny Jacobian steps next to large jumps) do not. Once a client has
 * {@code minQueries} distances, each new one runs a Shapiro-Wilk test on the last {@code window}
 * of them, and W below {@code threshold} raises an alarm: once per client, as an event to the
 * listeners.
 *
 * <p>Memory per client is bounded: at most {@code maxPerClass} stored queries per class (floats;
 * {@code classes x maxPerClass x input size x 4} bytes at most) and {@code window} distances.
 * Thread-safe: clients are monitored independently and concurrently; one client's queries are
 * processed in arrival order.
 *
 * <pre>{@code
 * Prada prada = Prada.builder(victim).threshold(0.90).build();
 * prada.onAlarm(a -> log.warn("extraction suspected: {}", a));
 * Classifier api = prada.guard(victim, "client-42", true);   // answers as the victim, watches, refuses
 * }</pre>
 */
public final class Prada {

    /**
     * An alarm: the client's distances stopped looking normal.
     *
     * @param client the client's id
     * @param queries queries of that client so far, the alarming one included
     * @param w the Shapiro-Wilk statistic
     * @param threshold the threshold it fell below
     */
    public record Alarm(String client, long queries, double w, double threshold) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "client '%s': W %.4f < %.4f after %d queries", client, w, threshold,
                    queries);
        }
    }

    /** A refusing guard refused a batch from a client already under alarm. */
    public static final class ExtractionAlarmException extends RefusedQueryException {
        private static final long serialVersionUID = 1L;

        ExtractionAlarmException(String client, int[] rows) {
            super("queries of client '" + client + "' are refused: model extraction suspected", rows);
        }
    }

    private final int numClasses;
    private final int inputSize;
    private final double threshold;
    private final int minQueries;
    private final int window;
    private final int maxPerClass;
    private final Map<String, ClientState> clients = new ConcurrentHashMap<>();
    private final List<Consumer<Alarm>> listeners = new CopyOnWriteArrayList<>();

    private Prada(Builder b) {
        this.numClasses = b.numClasses;
        this.inputSize = b.inputSize;
        this.threshold = b.threshold;
        this.minQueries = b.minQueries;
        this.window = b.window;
        this.maxPerClass = b.maxPerClass;
    }

    /** A monitor for queries of {@code victim}'s input shape and classes. */
    public static Builder builder(Classifier victim) {
        if (victim == null) {
            throw new IllegalArgumentException("victim must not be null");
        }
        long size = 1;
        for (long d : victim.inputShape()) {
            size *= d;
        }
        return new Builder(victim.numClasses(), (int) size);
    }

    /** Calls {@code listener} with each alarm (on the thread whose query raised it). */
    public void onAlarm(Consumer<Alarm> listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
    }

    /**
     * Records the queries {@code x} of {@code client}, answered with classes {@code answered}.
     *
     * @return the alarm if these queries raised it, otherwise null
     * @throws IllegalArgumentException naming a null client, a batch that does not match the
     *     victim's input size, or a class out of range
     */
    public Alarm observe(String client, INDArray x, int[] answered) {
        if (client == null) {
            throw new IllegalArgumentException("client must not be null");
        }
        if (x == null || answered == null) {
            throw new IllegalArgumentException("x and answered must not be null");
        }
        if (x.rank() < 1 || x.length() != x.size(0) * (long) inputSize || x.size(0) != answered.length) {
            throw new IllegalArgumentException("x must hold " + answered.length + " inputs of " + inputSize
                    + " values, found shape " + java.util.Arrays.toString(x.shape()));
        }
        float[][] rows = x.castTo(DataType.FLOAT).reshape(x.size(0), inputSize).toFloatMatrix();
        for (int i = 0; i < rows.length; i++) {
            for (float v : rows[i]) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("x[" + i + "] holds a non-finite value (" + v + "): nothing of"
                            + " this batch was recorded");
                }
            }
        }
        for (int i = 0; i < answered.length; i++) {
            if (answered[i] < 0 || answered[i] >= numClasses) {
                throw new IllegalArgumentException("answered[" + i + "] must be in [0, " + numClasses + "), found "
                        + answered[i]);
            }
        }
        ClientState s = clients.computeIfAbsent(client, ClientState::new);
        Alarm raised = null;
        synchronized (s) {
            for (int i = 0; i < rows.length; i++) {
                Alarm a = s.add(rows[i], answered[i]);
                raised = raised == null ? a : raised;
            }
        }
        if (raised != null) {
            for (Consumer<Alarm> l : listeners) {
                l.accept(raised);
            }
        }
        return raised;
    }

    /** Whether {@code client} is under alarm. */
    public boolean alarmed(String client) {
        ClientState s = clients.get(client);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.alarmed;
        }
    }

    /** The client's latest Shapiro-Wilk statistic, or NaN before {@code minQueries} distances. */
    public double lastW(String client) {
        ClientState s = clients.get(client);
        if (s == null) {
            return Double.NaN;
        }
        synchronized (s) {
            return s.lastW;
        }
    }

    /** The client's most recent minimum distances (at most {@code window}), oldest first. */
    public double[] distances(String client) {
        ClientState s = clients.get(client);
        if (s == null) {
            return new double[0];
        }
        synchronized (s) {
            double[] out = new double[s.filled];
            for (int i = 0; i < s.filled; i++) {
                out[i] = s.recent[(s.head - s.filled + i + window) % window];
            }
            return out;
        }
    }

    /** Forgets a client (its stored queries and alarm). */
    public void reset(String client) {
        clients.remove(client);
    }

    /**
     * The monitor as a {@link Screen} of {@code client}'s queries: every query of a client under
     * alarm scores 1 and is flagged, every other scores 0; each answered batch is observed (with
     * the answers' top-1 classes), so the alarm is raised by the queries that cross the threshold
     * and flags the client's later batches.
     *
     * @throws IllegalArgumentException if {@code client} is null
     */
    public Screen screen(String client) {
        Check.notNull("client", client);
        Prada self = this;
        return new Screen() {
            @Override
            public double[] score(INDArray x) {
                double[] s = new double[(int) x.size(0)];
                java.util.Arrays.fill(s, self.alarmed(client) ? 1 : 0);
                return s;
            }

            @Override
            public boolean[] flag(double[] scores) {
                boolean[] f = new boolean[scores.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = scores[i] > 0.5;
                }
                return f;
            }

            @Override
            public void answered(INDArray x, INDArray probabilities) {
                self.observe(client, x, Labels.argmax(probabilities));
            }

            @Override
            public RefusedQueryException refusal(int[] rows) {
                return new ExtractionAlarmException(client, rows);
            }
        };
    }

    /**
     * The victim as {@code client} sees it: a {@link Guard} that answers each query with the victim
     * and then observes it. With {@code refuseAfterAlarm}, a batch of a client under alarm throws
     * {@link ExtractionAlarmException} before the victim sees it; otherwise {@link Guard#decide}
     * reports the client's queries as flagged once the alarm is raised.
     *
     * @throws IllegalArgumentException naming a null argument
     */
    public Guard guard(Classifier victim, String client, boolean refuseAfterAlarm) {
        Check.notNull("victim", victim);
        return refuseAfterAlarm ? Guard.refusing(victim, screen(client)) : Guard.flagging(victim, screen(client));
    }

    /** One client's growing sets, thresholds and recent distances. */
    private final class ClientState {
        final String id;
        final List<List<float[]>> growing = new ArrayList<>();
        final double[] count = new double[numClasses];
        final double[] mean = new double[numClasses];
        final double[] m2 = new double[numClasses];
        final double[] classThreshold = new double[numClasses];
        final double[] recent = new double[window];
        int filled;
        int head;
        long queries;
        boolean alarmed;
        double lastW = Double.NaN;
        ShapiroWilk test;

        ClientState(String id) {
            this.id = id;
            for (int c = 0; c < numClasses; c++) {
                growing.add(new ArrayList<>());
            }
        }

        Alarm add(float[] x, int c) {
            queries++;
            List<float[]> g = growing.get(c);
            if (g.isEmpty()) {
                g.add(x);
                return null;
            }
            double d = Double.POSITIVE_INFINITY;
            for (float[] y : g) {
                d = Math.min(d, distance(x, y, d));
            }
            d = Math.sqrt(d);
            if (d > classThreshold[c]) {
                if (g.size() < maxPerClass) {
                    g.add(x);
                }
                count[c]++;
                double delta = d - mean[c];
                mean[c] += delta / count[c];
                m2[c] += delta * (d - mean[c]);
                double sd = count[c] > 1 ? Math.sqrt(m2[c] / (count[c] - 1)) : 0;
                classThreshold[c] = Math.max(classThreshold[c], mean[c] - sd);
            }
            recent[head] = d;
            head = (head + 1) % window;
            filled = Math.min(window, filled + 1);
            if (filled < minQueries) {
                return null;
            }
            double[] sample = new double[filled];
            for (int i = 0; i < filled; i++) {
                sample[i] = recent[(head - filled + i + window) % window];
            }
            if (test == null || test.size() != filled) {
                test = new ShapiroWilk(filled);
            }
            boolean constant = java.util.Arrays.stream(sample).allMatch(v -> v == sample[0]);
            lastW = constant ? 0 : test.apply(sample).w();
            if (!alarmed && lastW < threshold) {
                alarmed = true;
                return new Alarm(id, queries, lastW, threshold);
            }
            return null;
        }
    }

    /** Squared L2 distance, abandoned once it exceeds {@code bound} (squared). */
    private static double distance(float[] a, float[] b, double bound) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
            if ((k & 63) == 63 && s > bound) {
                return s;
            }
        }
        return s;
    }

    /** Builds a {@link Prada} monitor; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final int numClasses;
        private final int inputSize;
        private double threshold = 0.90;
        private int minQueries = 100;
        private int window = 1000;
        private int maxPerClass = 500;

        private Builder(int numClasses, int inputSize) {
            this.numClasses = numClasses;
            this.inputSize = inputSize;
        }

        /** Alarm when W falls below this (default 0.90). */
        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /** Distances a client needs before the first test (default 100, at least 3). */
        public Builder minQueries(int n) {
            this.minQueries = n;
            return this;
        }

        /** Most recent distances tested (default 1,000, at most 5,000). */
        public Builder window(int n) {
            this.window = n;
            return this;
        }

        /** Most stored queries per client and class (default 500). */
        public Builder maxPerClass(int n) {
            this.maxPerClass = n;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public Prada build() {
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1), found " + threshold);
            }
            if (window < ShapiroWilk.MIN_N || window > ShapiroWilk.MAX_N) {
                throw new IllegalArgumentException("window must be in [3, 5000], found " + window);
            }
            if (minQueries < ShapiroWilk.MIN_N || minQueries > window) {
                throw new IllegalArgumentException("minQueries must be in [3, window = " + window + "], found "
                        + minQueries);
            }
            if (maxPerClass <= 0) {
                throw new IllegalArgumentException("maxPerClass must be positive, found " + maxPerClass);
            }
            return new Prada(this);
        }
    }
}
