package dev.rampart.defenses.federated;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a federated server combines the clients' parameter updates of one round into the update of
 * the global model. FedAvg averages; the robust rules bound what a minority of malicious clients
 * can do to the result. Every rule refuses an update holding NaN or infinity (naming the client)
 * rather than averaging it in, and updates whose length differs from the first.
 *
 * <pre>{@code
 * Aggregator krum = new Krum(2, 1);
 * Aggregator.Result r = krum.aggregate(Aggregator.Round.of(updates));
 * global.addi(r.update());
 * }</pre>
 */
public interface Aggregator {

    /**
     * One round's input.
     *
     * @param updates each client's flat update (new parameters minus the global ones)
     * @param weights each client's weight (its number of training examples), for the weighted rules
     * @param serverUpdate the server's own update on its trusted root set (FLTrust), or {@code null}
     */
    record Round(List<INDArray> updates, double[] weights, INDArray serverUpdate) {
        /** A round of equally weighted updates and no server update. */
        public static Round of(List<INDArray> updates) {
            double[] w = new double[updates == null ? 0 : updates.size()];
            java.util.Arrays.fill(w, 1.0);
            return new Round(updates, w, null);
        }
    }

    /**
     * The aggregate.
     *
     * @param update the global model's update, a new array
     * @param kept the clients whose updates entered the result (all of them for averaging rules;
     *     the selected ones for Krum and Bulyan; those the norm bound did not clip for norm bounding)
     */
    record Result(INDArray update, int[] kept) {
    }

    /**
     * Aggregates one round.
     *
     * @throws IllegalArgumentException naming a client whose update is not finite or of another
     *     length, a bad weight, or a round too small for the rule's assumption
     */
    Result aggregate(Round round);

    /** A short name for reports, such as {@code krum(f=2)}. */
    String name();
}
