package dev.rampart.attacks.federated;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;

/**
 * The model-replacement backdoor (Bagdasaryan, Veit, Hua, Estrin &amp; Shmatikov, "How to backdoor
 * federated learning", AISTATS 2020): a malicious client trains the global model it receives on
 * backdoored data (its own data with a trigger, such as the project's BadNets poisoning) like an
 * honest client, then scales its update by {@code boost} so that, averaged with the others, it
 * replaces the global model by its own ({@code boost = n / eta}: the clients per round over the
 * server's learning rate, 1 for FedAvg). The federation simulation runs it; norm bounding is the
 * defense the paper's follow-up (Sun et al. 2019) measures against it.
 *
 * <pre>{@code
 * BadNets badNets = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.5, 7);
 * ModelReplacement attack = new ModelReplacement(badNets.poison(myClientData).data(), 10);
 * }</pre>
 *
 * @param backdoorData the data the malicious client trains on
 * @param boost the factor its update is scaled by, at least 1
 */
public record ModelReplacement(LabeledData backdoorData, double boost) {

    /** @throws IllegalArgumentException naming a bad argument */
    public ModelReplacement {
        Check.notNull("backdoorData", backdoorData);
        if (!(boost >= 1) || !Double.isFinite(boost)) {
            throw new IllegalArgumentException("boost must be finite and at least 1, found " + boost);
        }
    }
}
