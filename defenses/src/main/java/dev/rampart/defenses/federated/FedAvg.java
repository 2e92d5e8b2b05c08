package dev.rampart.defenses.federated;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Federated averaging (McMahan, Moore, Ramage, Hampson &amp; Agüera y Arcas, AISTATS 2017): the
 * updates averaged with each client's weight (its number of examples). The baseline: one
 * malicious update can move the result anywhere.
 *
 * <pre>{@code
 * INDArray step = new FedAvg().aggregate(new Aggregator.Round(updates, exampleCounts, null)).update();
 * }</pre>
 */
public final class FedAvg implements Aggregator {

    @Override
    public Result aggregate(Round round) {
        INDArray m = Updates.matrix(round, 1);
        INDArray w = org.nd4j.linalg.factory.Nd4j.createFromArray(round.weights()).reshape(1, -1);
        INDArray avg = w.mmul(m).divi(w.sumNumber().doubleValue());
        return new Result(Updates.like(round, avg), Updates.all((int) m.size(0)));
    }

    @Override
    public String name() {
        return "fedavg";
    }
}
