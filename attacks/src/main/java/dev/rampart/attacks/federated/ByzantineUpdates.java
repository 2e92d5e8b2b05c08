package dev.rampart.attacks.federated;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What malicious federated clients send instead of their honest updates. The attacks are
 * omniscient, as in the papers that define them: they see the honest clients' updates of the round.
 *
 * <pre>{@code
 * List<INDArray> bad = new ALittleIsEnough().craft(honestUpdates, 10, totalClients, seed);
 * }</pre>
 */
public interface ByzantineUpdates {

    /**
     * The malicious updates of one round.
     *
     * @param honest the honest clients' updates (flat, one length), at least one
     * @param malicious how many malicious updates to return
     * @param clients the number of clients in the round, honest and malicious
     * @param seed fixes every random choice
     * @throws IllegalArgumentException naming a bad argument
     */
    List<INDArray> craft(List<INDArray> honest, int malicious, int clients, long seed);

    /** A short name for reports. */
    String name();
}
