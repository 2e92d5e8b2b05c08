package dev.rampart.defenses.federated;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * A training set split among federated clients: IID (a seeded shuffle cut into equal parts) or
 * with label skew, each class's examples divided among the clients in proportions drawn from a
 * Dirichlet distribution of concentration {@code alpha} (Hsu, Qi &amp; Brown 2019: alpha 100 is
 * nearly IID, alpha 0.5 gives most clients a few dominant classes).
 *
 * <pre>{@code
 * List<LabeledData> clients = ClientData.dirichlet(train, 50, 0.5, 42);
 * }</pre>
 */
public final class ClientData {

    private ClientData() {
    }

    /**
     * {@code clients} parts of equal size (within one example), after a shuffle seeded by {@code seed}.
     *
     * @throws IllegalArgumentException if there are fewer examples than clients
     */
    public static List<LabeledData> iid(LabeledData data, int clients, long seed) {
        check(data, clients);
        int[] order = ShuffledBatches.permutation(data.size(), new SplittableRandom(seed));
        List<LabeledData> out = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int from = (int) ((long) data.size() * c / clients);
            int to = (int) ((long) data.size() * (c + 1) / clients);
            out.add(data.rows(java.util.Arrays.copyOfRange(order, from, to), data.name() + ":client" + c));
        }
        return out;
    }

    /**
     * Label skew by Dirichlet({@code alpha}) proportions per class. A client left without any
     * example gets one drawn from the largest client, so that every client can train.
     *
     * @throws IllegalArgumentException if there are fewer examples than clients or alpha is not positive
     */
    public static List<LabeledData> dirichlet(LabeledData data, int clients, double alpha, long seed) {
        check(data, clients);
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be positive and finite, found " + alpha);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        GammaDistribution gamma = new GammaDistribution(new Well19937c(rnd.nextLong()), alpha, 1);
        List<List<Integer>> parts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            parts.add(new ArrayList<>());
        }
        int[] labels = data.labels();
        for (int k = 0; k < data.numClasses(); k++) {
            final int cls = k;
            int[] members = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == cls).toArray();
            int[] perm = ShuffledBatches.permutation(members.length, rnd);
            double[] p = new double[clients];
            double sum = 0;
            for (int c = 0; c < clients; c++) {
                p[c] = gamma.sample();
                sum += p[c];
            }
            double cum = 0;
            int start = 0;
            for (int c = 0; c < clients; c++) {
                cum += p[c] / sum;
                int end = c == clients - 1 ? members.length : (int) Math.round(cum * members.length);
                for (int i = start; i < end; i++) {
                    parts.get(c).add(members[perm[i]]);
                }
                start = Math.max(start, end);
            }
        }
        for (int c = 0; c < clients; c++) {
            if (parts.get(c).isEmpty()) {
                List<Integer> largest = parts.stream().max(java.util.Comparator.comparingInt(List::size)).orElseThrow();
                parts.get(c).add(largest.remove(largest.size() - 1));
            }
        }
        List<LabeledData> out = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            out.add(data.rows(parts.get(c).stream().mapToInt(Integer::intValue).toArray(), data.name() + ":client" + c));
        }
        return out;
    }

    private static void check(LabeledData data, int clients) {
        Check.notNull("data", data);
        Check.positive("clients", clients);
        if (data.size() < clients) {
            throw new IllegalArgumentException("clients (" + clients + ") must not exceed the " + data.size()
                    + " examples");
        }
    }
}
