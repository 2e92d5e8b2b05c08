package dev.rampart.defenses.federated;

import dev.rampart.attacks.federated.ByzantineUpdates;
import dev.rampart.attacks.federated.ModelReplacement;
import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.ShuffledBatches;
import dev.rampart.core.metric.Metrics;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A federated training simulation (FedAvg's protocol, McMahan et al. 2017): each round the server
 * samples clients, each trains a copy of the global model on its own data ({@link LocalTraining})
 * and sends the difference of parameters; malicious clients send what a {@link ByzantineUpdates}
 * attack crafts from the honest updates of the round instead, and backdoor clients ({@link
 * ModelReplacement}) train on their backdoored data and boost the update; the {@link Aggregator}
 * combines them
 * and the global model takes the step. Rounds are deterministic under the seed: the sample of round
 * {@code t} and each client's local seed derive from it. Per-round figures go to a listener and
 * into the report.
 *
 * <pre>{@code
 * Federation.Report r = Federation.builder(global, ClientData.iid(train, 50, 1), LocalTraining.epochs(1, 32))
 *         .aggregator(new Krum(10, 1)).clientsPerRound(10).malicious(10, new ALittleIsEnough())
 *         .rounds(30).evaluateOn(test).seed(1).build().run();
 * }</pre>
 *
 * @param <M> the global model: it is trained in place; clients train copies
 */
public final class Federation<M extends TrainableModel> {

    /**
     * The configuration.
     *
     * @param clients the number of clients
     * @param clientsPerRound how many are sampled each round
     * @param rounds the number of rounds
     * @param maliciousClients which clients are malicious (drawn from the seed)
     * @param attack what they send, or {@code null} when there are none
     * @param aggregator the server's rule
     * @param seed fixes every random choice
     */
    public record Config(int clients, int clientsPerRound, int rounds, int[] maliciousClients, String attack,
            String aggregator, long seed) {
        public Config {
            maliciousClients = maliciousClients.clone();
        }

        @Override
        public int[] maliciousClients() {
            return maliciousClients.clone();
        }
    }

    /**
     * One round's figures.
     *
     * @param round from 0
     * @param sampled the clients sampled
     * @param maliciousSampled how many of them were malicious
     * @param kept the sampled clients whose updates the aggregator kept
     * @param meanHonestNorm the mean L2 norm of the honest updates
     * @param updateNorm the L2 norm of the aggregated update
     * @param accuracy the global model's accuracy on the evaluation data after the round (NaN without)
     * @param attackSuccess the share of the triggered test set classified as the backdoor's target
     *     after the round (NaN without a backdoor)
     * @param seconds the round's wall time
     */
    public record RoundFigures(int round, int[] sampled, int maliciousSampled, int[] kept, double meanHonestNorm,
            double updateNorm, double accuracy, double attackSuccess, double seconds) {
    }

    /**
     * One sampled client's local training of a round.
     *
     * @param client the client's index
     * @param data what it trains on (its own data, or a backdoor client's poisoned data)
     * @param seed its local seed, derived from the round's seed and the client
     */
    public record ClientJob(int client, LabeledData data, long seed) implements java.io.Serializable {
    }

    /**
     * Runs a round's local trainings. Each job's result depends only on the global model, the job
     * and the {@link LocalTraining}, so every runner gives the same rounds.
     */
    @FunctionalInterface
    public interface ClientRunner {
        /**
         * Trains one copy of {@code global} per job, leaving {@code global} unchanged, and returns
         * each copy's parameters after training, in the jobs' order.
         */
        List<INDArray> train(TrainableModel global, List<ClientJob> jobs, LocalTraining local);

        /** One client after the other, in this thread. */
        ClientRunner LOCAL = (global, jobs, local) -> {
            List<INDArray> out = new ArrayList<>(jobs.size());
            for (ClientJob j : jobs) {
                out.add(trainCopy(global, j, local));
            }
            return out;
        };

        /**
         * The clients of a round on {@code threads} threads of this machine. Copies are made in the
         * calling thread; each thread trains its own copies.
         *
         * @throws IllegalArgumentException if {@code threads} is not positive
         */
        static ClientRunner threads(int threads) {
            Check.positive("threads", threads);
            return (global, jobs, local) -> {
                List<TrainableModel> copies = new ArrayList<>(jobs.size());
                for (int i = 0; i < jobs.size(); i++) {
                    copies.add(copyOf(global));
                }
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                        Math.min(threads, jobs.size()), r -> {
                            Thread t = new Thread(r, "rampart-federated-client");
                            t.setDaemon(true);
                            return t;
                        });
                try {
                    List<java.util.concurrent.Future<INDArray>> futures = new ArrayList<>();
                    for (int i = 0; i < jobs.size(); i++) {
                        TrainableModel copy = copies.get(i);
                        ClientJob j = jobs.get(i);
                        futures.add(pool.submit(() -> {
                            local.train(copy, j.data(), j.seed());
                            return copy.parameters().dup();
                        }));
                    }
                    List<INDArray> out = new ArrayList<>(jobs.size());
                    for (int i = 0; i < futures.size(); i++) {
                        try {
                            out.add(futures.get(i).get());
                        } catch (java.util.concurrent.ExecutionException e) {
                            throw new IllegalStateException("client " + jobs.get(i).client() + "'s local training failed: "
                                    + e.getCause(), e.getCause());
                        }
                    }
                    return out;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the clients trained", e);
                } finally {
                    pool.shutdownNow();
                }
            };
        }

        /** A copy of {@code global} that can be trained without touching it. */
        static TrainableModel copyOf(TrainableModel global) {
            if (!(global.copy() instanceof TrainableModel copy)) {
                throw new IllegalArgumentException("the global model's copy() must return a TrainableModel, found "
                        + global.getClass().getSimpleName());
            }
            return copy;
        }

        /** Trains a copy of {@code global} on the job's data and returns its parameters. */
        static INDArray trainCopy(TrainableModel global, ClientJob job, LocalTraining local) {
            TrainableModel copy = copyOf(global);
            local.train(copy, job.data(), job.seed());
            return copy.parameters().dup();
        }
    }

    /** The rounds' figures, the configuration and provenance. */
    public record Report(List<RoundFigures> rounds, Config config, Provenance provenance) {
        public Report {
            rounds = List.copyOf(rounds);
        }

        /** The global model's accuracy after the last round. */
        public double finalAccuracy() {
            return rounds.isEmpty() ? Double.NaN : rounds.get(rounds.size() - 1).accuracy();
        }

        /** The backdoor's attack success after the last round. */
        public double finalAttackSuccess() {
            return rounds.isEmpty() ? Double.NaN : rounds.get(rounds.size() - 1).attackSuccess();
        }
    }

    private final M global;
    private final List<LabeledData> clients;
    private final LocalTraining local;
    private final Aggregator aggregator;
    private final ByzantineUpdates attack;
    private final ModelReplacement backdoor;
    private final LabeledData triggered;
    private final LabeledData evaluation;
    private final LabeledData root;
    private final Consumer<RoundFigures> listener;
    private final ClientRunner runner;
    private final Config config;
    private final boolean[] isMalicious;

    private Federation(Builder<M> b, Config config) {
        this.global = b.global;
        this.clients = List.copyOf(b.clients);
        this.local = b.local;
        this.aggregator = b.aggregator;
        this.attack = b.attack;
        this.backdoor = b.backdoor;
        this.triggered = b.triggered;
        this.evaluation = b.evaluation;
        this.root = b.root;
        this.listener = b.listener;
        this.runner = b.runner;
        this.config = config;
        this.isMalicious = new boolean[clients.size()];
        for (int c : config.maliciousClients()) {
            isMalicious[c] = true;
        }
    }

    public static <M extends TrainableModel> Builder<M> builder(M global, List<LabeledData> clients,
            LocalTraining local) {
        return new Builder<>(global, clients, local);
    }

    public Config config() {
        return config;
    }

    /** Runs every round, training the global model in place. */
    public Report run() {
        List<RoundFigures> figures = new ArrayList<>();
        for (int t = 0; t < config.rounds(); t++) {
            long start = System.nanoTime();
            long roundSeed = Seeds.derive(config.seed(), t);
            int[] perm = ShuffledBatches.permutation(clients.size(), new SplittableRandom(roundSeed));
            int[] sampled = Arrays.copyOf(perm, config.clientsPerRound());
            Arrays.sort(sampled);
            INDArray before = global.parameters().dup();
            List<INDArray> honest = new ArrayList<>();
            List<Integer> honestIds = new ArrayList<>();
            List<Integer> maliciousIds = new ArrayList<>();
            List<INDArray> boosted = new ArrayList<>();
            List<Integer> boostedIds = new ArrayList<>();
            List<ClientJob> jobs = new ArrayList<>();
            for (int c : sampled) {
                if (isMalicious[c] && backdoor == null) {
                    maliciousIds.add(c);
                } else if (isMalicious[c]) {
                    // model replacement: train on the backdoored data, then boost the update
                    jobs.add(new ClientJob(c, backdoor.backdoorData(), Seeds.derive(roundSeed, c + 1)));
                } else {
                    jobs.add(new ClientJob(c, clients.get(c), Seeds.derive(roundSeed, c + 1)));
                }
            }
            List<INDArray> trained = jobs.isEmpty() ? List.of() : runner.train(global, jobs, local);
            if (trained.size() != jobs.size()) {
                throw new IllegalStateException("the client runner returned " + trained.size() + " models for "
                        + jobs.size() + " clients");
            }
            INDArray flatBefore = before.reshape(-1);
            for (int j = 0; j < jobs.size(); j++) {
                int c = jobs.get(j).client();
                INDArray update = trained.get(j).reshape(-1).castTo(before.dataType()).sub(flatBefore);
                if (isMalicious[c]) {
                    boosted.add(update.muli(backdoor.boost()));
                    boostedIds.add(c);
                } else {
                    honest.add(update);
                    honestIds.add(c);
                }
            }
            List<INDArray> updates = new ArrayList<>(honest);
            List<Integer> order = new ArrayList<>(honestIds);
            updates.addAll(boosted);
            order.addAll(boostedIds);
            if (!maliciousIds.isEmpty() && !honest.isEmpty()) {
                updates.addAll(attack.craft(honest, maliciousIds.size(), sampled.length, Seeds.derive(roundSeed, 0)));
                order.addAll(maliciousIds);
            }
            double[] weights = order.stream().mapToDouble(c -> clients.get(c).size()).toArray();
            INDArray serverUpdate = null;
            if (root != null) {
                @SuppressWarnings("unchecked")
                M server = (M) global.copy();
                local.train(server, root, Seeds.derive(roundSeed, -1));
                serverUpdate = server.parameters().sub(before).reshape(-1);
            }
            Aggregator.Result r = aggregator.aggregate(new Aggregator.Round(updates, weights, serverUpdate));
            global.parameters().addi(r.update().reshape(global.parameters().shape()).castTo(before.dataType()));
            int[] kept = Arrays.stream(r.kept()).map(order::get).sorted().toArray();
            double honestNorm = honest.stream().mapToDouble(u -> u.norm2Number().doubleValue()).average().orElse(0);
            double accuracy = evaluation == null ? Double.NaN
                    : Metrics.accuracy(global.predictClasses(evaluation.features()), evaluation.labels());
            double success = triggered == null ? Double.NaN
                    : Metrics.accuracy(global.predictClasses(triggered.features()), triggered.labels());
            RoundFigures f = new RoundFigures(t, sampled, maliciousIds.size() + boostedIds.size(), kept, honestNorm,
                    r.update().norm2Number().doubleValue(), accuracy, success, (System.nanoTime() - start) / 1e9);
            figures.add(f);
            if (listener != null) {
                listener.accept(f);
            }
        }
        return new Report(figures, config, Provenance.current());
    }

    /** Builds a {@link Federation}; every value is checked at {@link #build()}. */
    public static final class Builder<M extends TrainableModel> {
        private final M global;
        private final List<LabeledData> clients;
        private final LocalTraining local;
        private Aggregator aggregator = new FedAvg();
        private int clientsPerRound = 10;
        private int rounds = 10;
        private int malicious;
        private ByzantineUpdates attack;
        private ModelReplacement backdoor;
        private LabeledData triggered;
        private LabeledData evaluation;
        private LabeledData root;
        private Consumer<RoundFigures> listener;
        private ClientRunner runner = ClientRunner.LOCAL;
        private long seed;

        private Builder(M global, List<LabeledData> clients, LocalTraining local) {
            this.global = global;
            this.clients = clients;
            this.local = local;
        }

        public Builder<M> aggregator(Aggregator aggregator) {
            this.aggregator = aggregator;
            return this;
        }

        public Builder<M> clientsPerRound(int clientsPerRound) {
            this.clientsPerRound = clientsPerRound;
            return this;
        }

        public Builder<M> rounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        /** {@code count} malicious clients (chosen from the seed), sending what {@code attack} crafts. */
        public Builder<M> malicious(int count, ByzantineUpdates attack) {
            this.malicious = count;
            this.attack = attack;
            return this;
        }

        /**
         * {@code count} malicious clients (chosen from the seed) running the model-replacement
         * backdoor; {@code triggered} is the triggered test set labelled with the target, on which
         * attack success is measured after every round.
         */
        public Builder<M> backdoor(int count, ModelReplacement attack, LabeledData triggered) {
            this.malicious = count;
            this.backdoor = attack;
            this.triggered = triggered;
            return this;
        }

        /**
         * The server's trusted root set: each round the server trains a copy of the global model on
         * it and hands its update to the aggregator (FLTrust needs it).
         */
        public Builder<M> serverRoot(LabeledData root) {
            this.root = root;
            return this;
        }

        /** Data on which the global model's accuracy is measured after every round. */
        public Builder<M> evaluateOn(LabeledData evaluation) {
            this.evaluation = evaluation;
            return this;
        }

        public Builder<M> onRound(Consumer<RoundFigures> listener) {
            this.listener = listener;
            return this;
        }

        /** Where the sampled clients train: {@link ClientRunner#LOCAL} (default), threads, or Spark. */
        public Builder<M> runner(ClientRunner runner) {
            this.runner = runner;
            return this;
        }

        public Builder<M> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public Federation<M> build() {
            Check.notNull("global", global);
            Check.notNull("local", local);
            Check.notNull("aggregator", aggregator);
            Check.notNull("runner", runner);
            if (clients == null || clients.isEmpty() || clients.contains(null)) {
                throw new IllegalArgumentException("clients must hold at least one client's data, none null");
            }
            Check.inRange("clientsPerRound", clientsPerRound, 1, clients.size());
            Check.positive("rounds", rounds);
            Check.inRange("malicious", malicious, 0, clients.size());
            if (malicious > 0 && attack == null && backdoor == null) {
                throw new IllegalArgumentException("malicious clients need an attack");
            }
            if (attack != null && backdoor != null) {
                throw new IllegalArgumentException("malicious clients run either byzantine updates or a backdoor, not both");
            }
            for (int c = 0; c < clients.size(); c++) {
                if (clients.get(c).numClasses() != global.numClasses()) {
                    throw new IllegalArgumentException("client " + c + "'s data has " + clients.get(c).numClasses()
                            + " classes, the model " + global.numClasses());
                }
            }
            int[] perm = ShuffledBatches.permutation(clients.size(), new SplittableRandom(Seeds.derive(seed, -1)));
            int[] bad = Arrays.copyOf(perm, malicious);
            Arrays.sort(bad);
            return new Federation<>(this, new Config(clients.size(), clientsPerRound, rounds, bad,
                    attack != null ? attack.name() : backdoor != null ? "model-replacement(boost=" + backdoor.boost() + ")"
                    : "none", aggregator.name(), seed));
        }
    }
}
